import type { BackendCapabilities } from '@pointwise/core';
import { GL_MODES } from './modes.js';
import type { GpujsMode } from './options.js';

/**
 * Declared precision factor per mode (the multiplier on the bound of
 * README “Accuracy”):
 * - `cpu`: gpu.js's JavaScript kernel accumulates in float64 and stores
 *   float32 once — within the bound as is (1).
 * - `webasm`: WebAssembly `f32` arithmetic is IEEE-754 with round to nearest
 *   and subnormals kept — the bound's own model (1).
 * - GL modes and `webgpu`: GLSL / WGSL `highp` float is 32-bit but a driver
 *   may contract `a + w·x` into a fused multiply-add or round an operation
 *   faithfully rather than to nearest (up to 2u instead of u per step), and
 *   subnormals may be flushed — 2. On Mesa llvmpipe the measured worst ratio
 *   stays far below 1 (see the package tests and the closing note of issue 5).
 */
export function precisionFactorOf(mode: GpujsMode): number {
  return mode === 'cpu' || mode === 'webasm' ? 1 : 2;
}

/** Whether a mode may flush subnormal inputs and results to zero (GPU shader arithmetic). */
export function flushesSubnormalsIn(mode: GpujsMode): boolean {
  return mode !== 'cpu' && mode !== 'webasm';
}

/**
 * What a run does to the calling thread in a mode (core's `CallingThreadUse`):
 * - `webgpu`: `'free'` — the run uploads, submits and awaits `mapAsync`; the
 *   GPU computes while the thread is free (only the upload and the unpacking
 *   of the read-back values run on it);
 * - GL modes: `'blocked'` — gpu.js reads every result back with a synchronous
 *   `readPixels`, which waits on the calling thread until the GPU is done
 *   (seconds for a large layer on a software renderer);
 * - `cpu`, `webasm`: `'blocked'` — gpu.js computes on the calling thread.
 */
export function callingThreadOf(mode: GpujsMode): 'blocked' | 'free' {
  return mode === 'webgpu' ? 'free' : 'blocked';
}

/**
 * The capabilities the backend declares for a mode: synchronous runs
 * everywhere but `webgpu` (whose readback only exists as a Promise), one
 * thread (gpu.js's `webasm` worker pool is not used), what a run does to the
 * calling thread ({@link callingThreadOf}), and the output chunking limits in `limits`.
 */
export function capabilitiesOf(mode: GpujsMode, limits: { maxTextureSize: number; maxChunkElements: number }): BackendCapabilities {
  const reported: Record<string, number> = {};
  if (Number.isFinite(limits.maxTextureSize)) reported.maxTextureSize = limits.maxTextureSize;
  if (Number.isFinite(limits.maxChunkElements)) reported.maxChunkElements = limits.maxChunkElements;
  return {
    sync: mode !== 'webgpu',
    precisionFactor: precisionFactorOf(mode),
    threads: 1,
    limits: reported,
    flushesSubnormals: flushesSubnormalsIn(mode),
    callingThread: callingThreadOf(mode),
  };
}

/** Whether a mode renders through GL textures (and so has a texture-size limit). */
export function isGlMode(mode: GpujsMode): boolean {
  return GL_MODES.includes(mode);
}
