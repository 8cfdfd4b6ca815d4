/**
 * @pointwise/backend-cpu-tiled — the cache-blocked, register-tiled CPU
 * backend on one thread, and the kernel API (plan, packed weights, scratch,
 * range run) that the workers backend runs on every thread.
 * Side-effect free: call `registerCpuTiledBackend()` to register it.
 */
export * from './plan.js';
export * from './microkernels.js';
export * from './pack-weights.js';
export * from './scratch.js';
export * from './run-range.js';
export * from './cpu-tiled-backend.js';
export * from './register.js';
export * from './wasm/index.js';
export type { PixelBlockCounts } from './pixel-block.js';
export type { StoreTarget } from './store.js';
