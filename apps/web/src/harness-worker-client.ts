/**
 * The page's side of the harness worker (`harness-worker.ts`): starts it once, sends a request,
 * forwards its progress and resolves with its report. Cancelling sends a cancel message (the worker
 * aborts between two timed runs or two cases, as the main-thread shell does); a worker that has not
 * answered `CANCEL_GRACE_MS` later is busy inside one long run, so it is terminated and a fresh one
 * serves the next request.
 */
import type { BenchReport } from '@pointwise/bench/harness';
import type { SuiteReport } from '@pointwise/conformance/harness';
import type { BenchRequest, ConformanceRequest, HarnessReply, ReadyReply } from './harness-protocol.js';

/** How long a cancelled request may take to stop before the worker is terminated, ms. */
const CANCEL_GRACE_MS = 2_000;

/** Progress as the worker reports it: `done` of `total` steps, and what runs now (may be empty). */
export type ProgressListener = (done: number, total: number, text: string) => void;

type RequestBody<R> = R extends { id: number } ? Omit<R, 'id'> : never;

/** The harness worker, started on first use. */
export class HarnessWorkerClient {
  private worker: Worker | undefined;
  private ready: Promise<ReadyReply> | undefined;
  private nextId = 1;

  /** The worker's state once its registry is ready: backend packages that did not load there, and its isolation. */
  whenReady(): Promise<ReadyReply> {
    this.start();
    return this.ready!;
  }

  /**
   * Runs `body` in the worker.
   * @returns the worker's `BenchReport` (bench) or `SuiteReport` (conformance).
   * @throws the worker's error as an Error; a `DOMException` named `AbortError` when `signal` aborted it.
   */
  run(body: RequestBody<BenchRequest>, onProgress: ProgressListener, signal: AbortSignal): Promise<BenchReport>;
  run(body: RequestBody<ConformanceRequest>, onProgress: ProgressListener, signal: AbortSignal): Promise<SuiteReport>;
  run(body: RequestBody<BenchRequest> | RequestBody<ConformanceRequest>, onProgress: ProgressListener, signal: AbortSignal): Promise<BenchReport | SuiteReport> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      let grace: ReturnType<typeof setTimeout> | undefined;
      const finish = (): void => {
        worker.removeEventListener('message', onMessage);
        worker.removeEventListener('error', onError);
        signal.removeEventListener('abort', onAbort);
        if (grace !== undefined) clearTimeout(grace);
      };
      const onMessage = (event: MessageEvent<HarnessReply>): void => {
        const reply = event.data;
        if (reply.kind === 'ready' || reply.id !== id) return;
        if (reply.kind === 'progress') return onProgress(reply.done, reply.total, reply.text);
        finish();
        if (reply.kind === 'result') resolve(reply.report);
        else reject(reply.cancelled ? new DOMException(reply.message, 'AbortError') : new Error(`in the harness worker: ${reply.message}`));
      };
      const onError = (event: ErrorEvent): void => {
        finish();
        this.terminate();
        reject(new Error(`the harness worker failed: ${event.message || 'an error without a message (did its script load?)'}`));
      };
      const onAbort = (): void => {
        worker.postMessage({ kind: 'cancel', id });
        grace = setTimeout(() => {
          finish();
          this.terminate();
          reject(new DOMException(`cancelled by the user (the harness worker was still inside a run after ${CANCEL_GRACE_MS} ms and was terminated)`, 'AbortError'));
        }, CANCEL_GRACE_MS);
      };
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', onError);
      signal.addEventListener('abort', onAbort);
      worker.postMessage({ ...body, id });
    });
  }

  /** Ends the worker (and the pool threads it started); the next request starts a fresh one. */
  terminate(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.ready = undefined;
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(new URL('./harness-worker.ts', import.meta.url), { type: 'module', name: 'pointwise-harness' });
    this.ready = new Promise((resolve, reject) => {
      const onReady = (event: MessageEvent<HarnessReply>): void => {
        if (event.data.kind !== 'ready') return;
        worker.removeEventListener('message', onReady);
        resolve(event.data);
      };
      worker.addEventListener('message', onReady);
      worker.addEventListener('error', (event) => reject(new Error(`the harness worker failed to start: ${event.message || 'no message'}`)), { once: true });
    });
    this.worker = worker;
    return worker;
  }
}
