import type { Conv1x1Plan } from '../plan.js';
import { packWeights } from '../pack-weights.js';
import { buildGemmModule } from './gemm-module.js';
import type { WasmConvLayout } from './wasm-layout.js';

/** Pages the generated module declares as the maximum of its imported memory (4 GiB: any memory fits). */
const MODULE_MAXIMUM_PAGES = 65536;

/** The exports of the GEMM module (see `gemm-module.ts` for their contracts). */
export interface WasmGemmExports {
  gemm_block(
    w: number, bias: number, x: number, ldx: number, panelStride: number, k: number,
    out: number, ldo: number, tiles: number, rowsLast: number, pixels: number,
    clamp: number, stage: number, pixelMajor: number,
  ): void;
  gather_panels(dst: number, src: number, offsets: number, pixels: number, k: number, kStride: number): void;
}

const modules = new Map<string, WebAssembly.Module>();

/**
 * The compiled GEMM module for a shared or unshared memory, with the mul+add
 * or the relaxed-SIMD FMA `k` loop (compiled once per realm and cached;
 * synchronous, which Node allows for any size — browsers limit synchronous
 * compilation on the main thread to 4 KiB modules, and this one is about
 * 1 KiB). A `WebAssembly.Module` can be posted to worker threads.
 */
export function gemmModule(shared: boolean, fma = false): WebAssembly.Module {
  const key = `${shared}:${fma}`;
  let module = modules.get(key);
  if (module === undefined) {
    module = new WebAssembly.Module(buildGemmModule({ shared, maximumPages: MODULE_MAXIMUM_PAGES, fma }));
    modules.set(key, module);
  }
  return module;
}

/**
 * Allocates the memory of one operator: exactly `layout.pages` pages with the
 * same maximum, so it never grows. `shared: true` backs it with a
 * `SharedArrayBuffer` that worker threads instantiate the module over.
 */
export function createWasmConvMemory(layout: WasmConvLayout, shared: boolean): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: layout.pages, maximum: layout.pages, shared });
}

/** One instance of the GEMM module over an operator's memory, with views on that memory. */
export interface WasmConvInstance {
  readonly plan: Conv1x1Plan;
  readonly layout: WasmConvLayout;
  readonly memory: WebAssembly.Memory;
  readonly exports: WasmGemmExports;
  /** Float32 view of the whole memory. */
  readonly f32: Float32Array;
  /** Int32 view of the whole memory. */
  readonly i32: Int32Array;
  /** Uint32 view of the whole memory (the gather table: byte offsets up to 2^32 − 1). */
  readonly u32: Uint32Array;
  /**
   * Byte offsets of this operator's packed weights and of its `[min, max]` clamp bounds in the
   * memory: `layout.weights` and `layout.clamp` in a memory of its own; a slot of the weight
   * cache in the realm's workspace (see `workspace.ts`).
   */
  readonly weights: number;
  readonly clamp: number;
}

/**
 * Instantiates the GEMM module over `memory` (on any thread: pass the same
 * plan, layout and memory, and the module or nothing to compile it here).
 * @param module defaults to {@link gemmModule} for the memory's sharedness.
 */
export function instantiateWasmConv(
  plan: Conv1x1Plan,
  layout: WasmConvLayout,
  memory: WebAssembly.Memory,
  module: WebAssembly.Module = gemmModule(typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer),
): WasmConvInstance {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as WasmGemmExports;
  return {
    plan, layout, memory, exports,
    f32: new Float32Array(memory.buffer), i32: new Int32Array(memory.buffer), u32: new Uint32Array(memory.buffer),
    weights: layout.weights, clamp: layout.clamp,
  };
}

/**
 * Writes what is fixed per operator into its memory, once, on the thread that
 * prepares it: the packed weights and bias (`packWeights` straight into the
 * memory) and the activation bounds.
 * @param weights `[Co, Ci/g]` row-major; @param bias `[Co]` or `null` (read only).
 */
export function writeOperatorConstants(instance: WasmConvInstance, weights: Float32Array, bias: Float32Array | null): void {
  const { plan, layout, f32 } = instance;
  packWeights(plan, weights, bias, f32.subarray(layout.weights / 4, layout.weights / 4 + plan.packedLength));
  f32[layout.clamp / 4] = plan.geometry.activation.min;
  f32[layout.clamp / 4 + 1] = plan.geometry.activation.max;
}
