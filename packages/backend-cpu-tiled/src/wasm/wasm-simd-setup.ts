import type { KernelSetup } from '../gemm-kernel.js';
import type { WasmConvLayout } from './wasm-layout.js';

/**
 * The setup of the WebAssembly SIMD kernel: the plan and the layout of its
 * memory, and either
 * - `placement: 'shared'`: a shared `WebAssembly.Memory` holding packed
 *   weights, input, output and one scratch region per thread, and the
 *   compiled module (post both to worker threads); or
 * - `placement: 'workspace'`: the packed weights in an ordinary array and the
 *   id of its share of the realm's workspace memory (bound only on the
 *   preparing thread; runs of workspace setups must not interleave — each
 *   stages, runs and copies out synchronously).
 *
 * In a file of its own on purpose: `wasm-simd-kernel.ts`'s declarations are
 * loaded by every consumer of `./kernel` (for `wasmCopyStats`), and a type
 * there naming `WebAssembly.Memory` would make them fail to type-check
 * without the DOM lib or @types/node (skipLibCheck false). No public entry
 * reaches this file; outside the kernel a setup is the opaque
 * {@link KernelSetup} it extends.
 */
export type WasmSimdSetup = KernelSetup & { readonly layout: WasmConvLayout; readonly backend?: string } & (
    | { readonly placement: 'shared'; readonly memory: WebAssembly.Memory; readonly module: WebAssembly.Module }
    | { readonly placement: 'workspace'; readonly packed: Float32Array; readonly workspace: number }
  );
