/**
 * @pointwise/backend-workers — the cpu-tiled kernel split over a persistent
 * pool of threads that share memory (Node `worker_threads`, browser Web
 * Workers). Side-effect free: call `registerWorkersBackend()` to register it.
 */
export * from './workers-backend.js';
export * from './workers-operator.js';
export * from './register.js';
export * from './availability.js';
export { startPoolThread, type PoolThreadOptions } from './worker-runtime.js';
export { planWorkGrid, tileCount, tileRange, TILES_PER_THREAD, type WorkGrid, type SplitUnits, type MutableRange } from './work-split.js';
export { DEFAULT_SERIAL_BACKOFF_RUNS } from './serial-backoff.js';
export { DEFAULT_READY_TIMEOUT_MS, DEFAULT_STALL_TIMEOUT_MS, type ThreadPoolStats } from './thread-pool.js';
export type { CopyStats } from './shared-memory.js';
export type { RunMessage } from './protocol.js';
export type { SyncLayout } from './run-sync.js';
export type { WorkerScriptUrl } from './thread-spawn.js';
