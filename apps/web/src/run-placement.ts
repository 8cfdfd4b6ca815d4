/**
 * Where the page runs a bench contender or a conformance configuration: in its dedicated harness
 * worker (`harness-worker.ts`), so the main thread only renders, or on the main thread. Every Pointwise
 * configuration and every browser peer can run in the worker — gpu.js 2.24's GL modes included: where
 * there is no `document` gpu.js renders to an `OffscreenCanvas`, and the browser matrix passes there;
 * TF.js webgl likewise, and the wasm engines start their threads from the worker — so a run stays on
 * the main thread only for a reason that holds for the whole run: the browser has no `Worker`, the
 * worker did not start, the run includes the network tier (its loader lives on the page), or the
 * user asked.
 */

/** Where a run happened, as rows show it (`details.ranOn` on bench rows, `ranOn` on conformance statuses). */
export type RanOn = 'worker' | 'main thread';

/** A configuration's place, and why it is not the worker. */
export interface Placement {
  readonly ranOn: RanOn;
  /** Present when `ranOn` is `'main thread'`. */
  readonly reason?: string;
}

/** Why the page has no worker shell, or `undefined` when `Worker` exists. */
export function workerShellMissing(): string | undefined {
  return typeof Worker === 'undefined' ? 'this browser has no Worker: every run stays on the main thread' : undefined;
}

/**
 * Where a configuration runs.
 * @param mainThreadReason why this run stays on the main thread (`workerShellMissing()`, the network
 *   tier, the user's choice), or `undefined`: it runs in the harness worker.
 */
export function placementOf(mainThreadReason: string | undefined): Placement {
  return mainThreadReason === undefined ? { ranOn: 'worker' } : { ranOn: 'main thread', reason: mainThreadReason };
}
