/**
 * The worker side of {@link ./thread-spawn.ts}: how a thread talks to the
 * thread that created it, under Node `worker_threads` (`parentPort`) or as a
 * browser Web Worker (the global scope).
 */
import { isNodeRuntime } from './thread-spawn.js';

/** The channel from inside a thread back to its creator. */
export interface HostPort {
  /** Posts a structured-clone-able message to the creating thread. */
  post(message: unknown): void;
  /** Calls `handler` for every message the creating thread posts, in order. */
  listen(handler: (message: unknown) => void): void;
}

interface NodeParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', handler: (message: unknown) => void): void;
}

interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', handler: (event: { data: unknown }) => void): void;
}

/**
 * Connects to the creating thread.
 * @throws {Error} when called outside a worker thread.
 */
export async function connectToHost(): Promise<HostPort> {
  if (isNodeRuntime()) {
    const specifier = 'node:worker_threads';
    const { parentPort } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as { parentPort: NodeParentPort | null };
    if (parentPort === null) throw new Error('connectToHost: not running in a worker thread');
    return {
      post: (message) => parentPort.postMessage(message),
      listen: (handler) => parentPort.on('message', handler),
    };
  }
  const scope = globalThis as unknown as Partial<WorkerScope>;
  if (typeof scope.postMessage !== 'function' || typeof scope.addEventListener !== 'function') {
    throw new Error('connectToHost: not running in a Web Worker');
  }
  const worker = scope as WorkerScope;
  return {
    post: (message) => worker.postMessage(message),
    listen: (handler) => worker.addEventListener('message', (event) => handler(event.data)),
  };
}
