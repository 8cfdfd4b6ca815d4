import type { Availability } from '@pointwise/core';
import { isNodeRuntime } from './thread-spawn.js';

/** What {@link probeWorkersEnvironment} looks at (the global object by default). */
export interface WorkersEnvironment {
  readonly SharedArrayBuffer?: unknown;
  readonly Atomics?: unknown;
  readonly Worker?: unknown;
  /** Defined in browsers: `false` on a page without cross-origin isolation. */
  readonly crossOriginIsolated?: boolean;
}

/**
 * Whether the workers backend can run in `scope`: it needs
 * `SharedArrayBuffer` and `Atomics` (threads share inputs, weights and
 * outputs and take tiles from an atomic counter), and threads — Node
 * `worker_threads` or a global `Worker`. A browser page gets
 * `SharedArrayBuffer` only when cross-origin isolated (served with
 * `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`), so that is the usual reason.
 */
export function probeWorkersEnvironment(scope: WorkersEnvironment = globalThis as WorkersEnvironment): Availability {
  if (typeof scope.SharedArrayBuffer !== 'function' || scope.crossOriginIsolated === false) {
    return {
      available: false,
      reason:
        'SharedArrayBuffer is not available here (a browser page has it only when cross-origin isolated: ' +
        'serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)',
    };
  }
  if (typeof scope.Atomics !== 'object' || scope.Atomics === null) {
    return { available: false, reason: 'Atomics is not available here' };
  }
  if (!isNodeRuntime() && typeof scope.Worker !== 'function') {
    return { available: false, reason: 'this runtime has neither Node worker_threads nor Web Workers' };
  }
  return { available: true };
}

/** The machine's available parallelism: `os.availableParallelism()` under Node, else `navigator.hardwareConcurrency`, else 1. */
export async function availableParallelism(): Promise<number> {
  if (isNodeRuntime()) {
    const specifier = 'node:os';
    const os = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as { availableParallelism?: () => number; cpus(): unknown[] };
    return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}
