/**
 * The WebAssembly SIMD microkernel and what a thread needs to run it on a
 * range of the output over one (possibly shared) WebAssembly memory:
 *
 * 1. once per operator: `planConv1x1(geometry, { kernel: 'wasm-simd' })`,
 *    `planWasmLayout(plan, threads)`, `createWasmConvMemory(layout, shared)`,
 *    `instantiateWasmConv(plan, layout, memory)` and `writeOperatorConstants`;
 * 2. on every thread: `instantiateWasmConv(plan, layout, memory, module)`
 *    (post `plan`, `layout`, `memory` and `gemmModule(true)`; all structured-
 *    clone-able) and `createWasmRangeScratch(instance, thread)` with a distinct
 *    `thread` per concurrent runner;
 * 3. per run: `copyInputToWasm` (one thread), `runConv1x1RangeWasm` on
 *    disjoint ranges (any threads), then `copyOutputFromWasm` (one thread).
 */
export { detectWasmSimd, type WasmSimdSupport } from './simd-support.js';
export { planWasmLayout, WASM_MAX_MEMORY_BYTES, type WasmConvLayout, type WasmThreadRegions } from './wasm-layout.js';
export {
  gemmModule,
  createWasmConvMemory,
  instantiateWasmConv,
  writeOperatorConstants,
  copyInputToWasm,
  copyOutputFromWasm,
  type WasmConvInstance,
  type WasmGemmExports,
} from './wasm-kernel.js';
export { runConv1x1RangeWasm, createWasmRangeScratch, writeGatherTable, GATHER_PADDING, type WasmRangeScratch } from './run-range-wasm.js';
export { WASM_MR, WASM_NR } from './gemm-module.js';
