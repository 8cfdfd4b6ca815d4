import { BackendCapacityError, InvalidArgumentError } from '@pointwise/core';
import { createDriverScratch, driveRange, type BlockSteps } from '../driver.js';
import type { BoundKernel, GemmKernel, KernelMemory, KernelRequest, KernelSetup, OutputRange } from '../gemm-kernel.js';
import { packWeights } from '../pack-weights.js';
import type { PixelMap } from '../pixel-block.js';
import { planConv1x1, type Conv1x1Plan } from '../plan.js';
import { WASM_MR, WASM_NR } from './gemm-module.js';
import { createWasmConvMemory, gemmModule, instantiateWasmConv, writeOperatorConstants, type WasmConvInstance } from './wasm-kernel.js';
import { planWasmLayout, type WasmConvLayout, type WasmThreadRegions } from './wasm-layout.js';
import { bindWorkspace, releaseWorkspace, reserveWorkspace } from './workspace.js';
import type { WasmSimdSetup } from './wasm-simd-setup.js';

/**
 * The WASM SIMD kernel's steps in the driver: the block's input read in
 * place (NCHW input, stride 1, no padding) or gathered into panels of `nr`
 * pixels by `gather_panels` through the pixel map's table; each channel
 * block one `gemm_block` call (`nr`-pixel panel → `mr`-channel tile → all of
 * `K`, bias and clamp fused, into the output region of the memory).
 */
class WasmSimdSteps implements BlockSteps {
  readonly alignedChannelStart = true;
  readonly mapsPixels: boolean;
  output: Float32Array;
  readonly outputBase: number;
  packed: Float32Array;
  instance: WasmConvInstance;
  readonly #plan: Conv1x1Plan;
  readonly #layout: WasmConvLayout;
  readonly #region: WasmThreadRegions;
  readonly #inPlace: boolean;
  /** Operand of the current block: its address, row stride and panel stride (bytes). */
  #x = 0;
  #ldx = 0;
  #panelStride = 0;

  constructor(plan: Conv1x1Plan, layout: WasmConvLayout, thread: number, instance: WasmConvInstance) {
    this.#plan = plan;
    this.#layout = layout;
    this.#region = layout.threads[thread];
    this.instance = instance;
    this.output = instance.f32;
    this.packed = instance.f32;
    this.outputBase = layout.output / 4;
    const g = plan.geometry;
    this.#inPlace = g.inputLayout === 'NCHW' && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0 && g.padBottom === 0 && g.padRight === 0;
    // Read in place, every pixel is interior and the gather table is not read.
    this.mapsPixels = !this.#inPlace;
  }

  /** Element index of the packed weights in {@link packed}: where this instance keeps them (a workspace setup's move between cache slots). */
  get packedBase(): number {
    return this.instance.weights / 4;
  }

  /** The gather table the driver's pixel map fills (none when the input is read in place). */
  get table(): Uint32Array | null {
    return this.#inPlace ? null : this.instance.u32;
  }

  get tableAt(): number {
    return this.#region.offsets / 4;
  }

  gather(n: number, group: number, p0: number, count: number): void {
    const plan = this.#plan;
    const xs = plan.inputStrides;
    const k = plan.geometry.inChannelsPerGroup;
    const rowBytes = plan.nr * 4;
    const groupInput = this.#layout.input + (n * xs.n + group * k * xs.c) * 4;
    if (this.#inPlace) {
      this.#x = groupInput + p0 * 4;
      this.#ldx = xs.c * 4;
      this.#panelStride = rowBytes;
    } else {
      this.instance.exports.gather_panels(this.#region.panel, groupInput, this.#region.offsets, count, k, xs.c * 4);
      this.#x = this.#region.panel;
      this.#ldx = rowBytes;
      this.#panelStride = k * rowBytes;
    }
  }

  compute(n: number, group: number, _lo: number, hi: number, t0: number, t1: number, p0: number, count: number, _map: PixelMap): void {
    const plan = this.#plan;
    const layout = this.#layout;
    const { mr, tilesPerGroup, biasOffset, geometry: g } = plan;
    const k = g.inChannelsPerGroup;
    const ys = plan.outputStrides;
    const pixelMajor = g.outputLayout === 'NHWC' ? 1 : 0;
    const groupChannel = group * g.outChannelsPerGroup;
    const tile = group * tilesPerGroup + t0;
    this.instance.exports.gemm_block(
      this.instance.weights + tile * k * mr * 4,
      this.instance.weights + (biasOffset + tile * mr) * 4,
      this.#x, this.#ldx, this.#panelStride, k,
      layout.output + (n * ys.n + (groupChannel + t0 * mr) * ys.c + p0 * ys.w) * 4,
      (pixelMajor ? ys.w : ys.c) * 4, t1 - t0, Math.min(mr, hi - groupChannel - (t1 - 1) * mr), count,
      this.instance.clamp, this.#region.stage, pixelMajor,
    );
  }
}

/** Bytes the WASM kernel's memories of this realm copied in (staged input) and out (output): a diagnostics and test hook. */
const copyStats = { inputBytes: 0, outputBytes: 0 };

/** What the WASM kernel's memories of this realm (this thread) have copied so far: staged input bytes and copied-out output bytes. */
export function wasmCopyStats(): { readonly inputBytes: number; readonly outputBytes: number } {
  return { ...copyStats };
}

/** The backend a setup names in capacity errors. */
function backendOf(setup: WasmSimdSetup): string {
  return setup.backend ?? 'cpu-tiled';
}

/**
 * Moves a workspace setup to a WebAssembly memory of its own (for zero-copy
 * tensors): exactly its layout's pages, never grown, its packed weights and
 * clamp bounds written once; then gives up its share of the workspace.
 * @throws {BackendCapacityError} when the engine refuses the memory.
 */
function dedicatedInstance(setup: WasmSimdSetup & { readonly placement: 'workspace' }, backend: string, fma: boolean): WasmConvInstance {
  const { plan, layout } = setup;
  let memory: WebAssembly.Memory;
  try {
    memory = createWasmConvMemory(layout, false);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new BackendCapacityError(backend, 'the WebAssembly memory this engine allocates', `a memory of ${layout.pages} pages of its own for zero-copy tensors could not be allocated: ${error.message}`);
  }
  const instance = instantiateWasmConv(plan, layout, memory, gemmModule(false, fma));
  instance.f32.set(setup.packed, layout.weights / 4);
  instance.f32[layout.clamp / 4] = plan.geometry.activation.min;
  instance.f32[layout.clamp / 4 + 1] = plan.geometry.activation.max;
  releaseWorkspace(setup.workspace);
  return instance;
}

/**
 * A WebAssembly microkernel entry of `gemm-module.ts` (4 × 8 register tile of
 * `f32x4` accumulators, all of `K` in one pass, bias and clamp fused): `fma`
 * false — `f32-gemm-4x8-minmax-wasmsimd`, multiply then add; true —
 * `f32-gemm-4x8-minmax-wasmrelaxedsimd`, `f32x4.relaxed_madd`. It owns its
 * memory: a run stages the input in and copies the output out (or neither,
 * for the tensors of `tensorViews`).
 */
function wasmGemmKernel(fma: boolean): GemmKernel {
  const entry: GemmKernel = {
  name: `f32-gemm-${WASM_MR}x${WASM_NR}-minmax-${fma ? 'wasmrelaxedsimd' : 'wasmsimd'}`,
  option: fma ? 'wasm-relaxed-simd' : 'wasm-simd',
  mr: WASM_MR,
  nr: WASM_NR,
  accumulation: fma ? 'float32-fma' : 'float32',
  feature: fma ? 'wasm-relaxed-simd' : 'wasm-simd',
  wholeK: true,
  alignedChannelStart: true,
  ownsMemory: true,
  prepare(request: KernelRequest): WasmSimdSetup {
    const plan = planConv1x1(request.geometry, entry, request.plan);
    const layout = planWasmLayout(plan, request.threads, request.backend);
    if (!request.shared) {
      const packed = packWeights(plan, request.weights, request.bias);
      return { kernel: entry.name, plan, layout, ...(request.backend === undefined ? {} : { backend: request.backend }), placement: 'workspace', packed, workspace: reserveWorkspace(layout.bytes, plan.packedLength * 4) };
    }
    const memory = createWasmConvMemory(layout, true);
    const module = gemmModule(true, fma);
    writeOperatorConstants(instantiateWasmConv(plan, layout, memory, module), request.weights, request.bias);
    return { kernel: entry.name, plan, layout, placement: 'shared', memory, module };
  },
  bind(setup: KernelSetup, thread: number): BoundKernel {
    const s = setup as WasmSimdSetup;
    if (s.kernel !== entry.name) throw new InvalidArgumentError('setup.kernel', JSON.stringify(entry.name), s.kernel);
    const { plan, layout } = s;
    if (!Number.isInteger(thread) || thread < 0 || thread >= layout.threads.length) {
      throw new InvalidArgumentError('thread', `an integer in [0, ${layout.threads.length - 1}]`, thread);
    }
    // A shared setup's memory is the operator's own; a workspace setup runs in the realm's workspace
    // (its weights copied into the workspace's weight cache when not there) until `tensorViews` gives it a memory of its own.
    let own: WasmConvInstance | null = s.placement === 'shared' ? instantiateWasmConv(plan, layout, s.memory, s.module) : null;
    const workspace = s.placement === 'workspace' ? s : null;
    const current = (): WasmConvInstance => own ?? bindWorkspace(workspace!.workspace, plan, layout, workspace!.packed, fma);
    const steps = new WasmSimdSteps(plan, layout, thread, current());
    const scratch = createDriverScratch(plan);
    const inputBase = layout.input / 4;
    const outputBase = layout.output / 4;
    let views: { readonly input: Float32Array; readonly output: Float32Array } | null = null;
    const memory: KernelMemory = {
      inputLength: layout.inputLength,
      outputLength: layout.outputLength,
      stageInput(x: Float32Array, from: number, to: number): void {
        const f32 = current().f32;
        if (from === 0 && to === x.length) f32.set(x, inputBase);
        else f32.set(x.subarray(from, to), inputBase + from);
        copyStats.inputBytes += (to - from) * 4;
      },
      copyOutput(out: Float32Array, from: number, to: number): void {
        out.set(current().f32.subarray(outputBase + from, outputBase + to), from);
        copyStats.outputBytes += (to - from) * 4;
      },
      tensorViews() {
        if (views !== null) return views;
        if (own === null) own = dedicatedInstance(workspace!, backendOf(s), fma);
        const buffer = own.memory.buffer;
        views = { input: new Float32Array(buffer, layout.input, layout.inputLength), output: new Float32Array(buffer, layout.output, layout.outputLength) };
        return views;
      },
      holdsInput(x: Float32Array): boolean {
        return own !== null && x.buffer === own.f32.buffer && x.byteOffset === layout.input && x.length === layout.inputLength;
      },
      holdsOutput(out: Float32Array): boolean {
        return own !== null && out.buffer === own.f32.buffer && out.byteOffset === layout.output && out.length === layout.outputLength;
      },
    };
    return {
      plan,
      memory,
      runRange(range: OutputRange): void {
        const instance = current();
        if (steps.instance !== instance) {
          steps.instance = instance;
          steps.output = instance.f32;
          steps.packed = instance.f32;
        }
        driveRange(plan, steps, range, scratch, steps.table, steps.tableAt);
      },
    };
  },
  release(setup: KernelSetup): void {
    const s = setup as WasmSimdSetup;
    if (s.placement === 'workspace') releaseWorkspace(s.workspace);
  },
  };
  return entry;
}

/** `f32-gemm-4x8-minmax-wasmsimd`: WebAssembly 128-bit SIMD, float32 multiply then add. */
export const WASM_SIMD_KERNEL: GemmKernel = wasmGemmKernel(false);

/**
 * `f32-gemm-4x8-minmax-wasmrelaxedsimd`: the same kernel with
 * `f32x4.relaxed_madd` (one rounding per step where the CPU has FMA).
 * Needs relaxed SIMD (Chromium by default; Node 20 with
 * `--experimental-wasm-relaxed-simd`).
 */
export const WASM_RELAXED_SIMD_KERNEL: GemmKernel = wasmGemmKernel(true);
