/**
 * @pointwise/backend-cpu-tiled — the cache-blocked, register-tiled CPU
 * backend on one thread: the backend, its registration, its options and its
 * limits. Side-effect free: call `registerCpuTiledBackend()` to register it.
 *
 * The kernel interface the workers backend runs on every thread (the
 * microkernel table, prepare / bind, the one kernel choice) is the
 * `@pointwise/backend-cpu-tiled/kernel` subpath.
 */
export { CpuTiledBackend, CPU_TILED_BACKEND_NAME, type CpuTiledBackendOptions } from './cpu-tiled-backend.js';
export { registerCpuTiledBackend, CPU_TILED_PRIORITY } from './register.js';
export { DEFAULT_CACHE_SIZES, type CacheSizes, type PlanOptions, type JsMicrotileName, type MicrokernelKind } from './plan.js';
export { WASM_MAX_MEMORY_BYTES } from './wasm/wasm-layout.js';
