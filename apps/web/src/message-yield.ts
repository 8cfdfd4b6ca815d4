/**
 * A macrotask yield without the timer clamp: resolves in a task of its own
 * (a `MessageChannel` message), so the worker's other messages — a cancel
 * request — are handled in between, as with `setTimeout(0)`, but without its
 * minimum delay. The HTML Standard clamps a timer nested more than five levels
 * deep to at least 4 ms (timer initialisation steps), and a harness that
 * yields after every sample nests them: 4 ms of sleep between two samples,
 * long enough for every thread of a multi-threaded contender to fall asleep,
 * so each sample began with thread wake-ups that back-to-back runs (the layers
 * of a network) never pay. Message tasks are not clamped (the technique
 * React's scheduler uses for the same reason).
 */
export function createMessageYield(): () => Promise<void> {
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  // Node (the unit tests) keeps a process alive while a port listens; browsers have no such method.
  (channel.port1 as unknown as { unref?: () => void }).unref?.();
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
}
