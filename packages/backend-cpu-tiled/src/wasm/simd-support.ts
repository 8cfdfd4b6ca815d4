import { ModuleBuilder } from './wasm-encoder.js';

/** Whether this JavaScript engine runs the WASM SIMD microkernel, and why not when it does not. */
export interface WasmSimdSupport {
  readonly supported: boolean;
  /** Why the WASM SIMD microkernel cannot run here (absent when supported). */
  readonly reason?: string;
  /** Whether a `SharedArrayBuffer`-backed `WebAssembly.Memory` can be created (for worker threads). */
  readonly sharedMemory: boolean;
  /** Whether relaxed SIMD (`f32x4.relaxed_madd`) validates too. */
  readonly relaxed: boolean;
}

/** The smallest module that uses a 128-bit SIMD instruction: one function splatting 0 into a `v128` local. */
function simdProbeModule(): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder(null);
  const f = m.func('probe', []);
  f.f32Const(0).f32x4Splat().set(f.local('v128'));
  return m.encode();
}

/** The smallest module that uses `f32x4.relaxed_madd` (relaxed SIMD). */
function relaxedProbeModule(): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder(null);
  const f = m.func('probe', []);
  const v = f.local('v128');
  f.get(v).get(v).get(v).f32x4RelaxedMadd().set(v);
  return m.encode();
}

function canCreateSharedMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

let cached: WasmSimdSupport | undefined;

/**
 * Detects WebAssembly fixed-width SIMD and relaxed SIMD (feature detection
 * by `WebAssembly.validate` of tiny modules, the method of the
 * `wasm-feature-detect` package) and shared WebAssembly memory. Cached after
 * the first call; never throws.
 */
export function detectWasmSimd(): WasmSimdSupport {
  if (cached !== undefined) return cached;
  const sharedMemory = typeof WebAssembly === 'object' && canCreateSharedMemory();
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') {
    cached = { supported: false, reason: 'WebAssembly is not available in this JavaScript engine', sharedMemory, relaxed: false };
  } else if (!WebAssembly.validate(simdProbeModule())) {
    cached = { supported: false, reason: 'this WebAssembly engine does not support 128-bit SIMD', sharedMemory, relaxed: false };
  } else {
    cached = { supported: true, sharedMemory, relaxed: WebAssembly.validate(relaxedProbeModule()) };
  }
  return cached;
}
