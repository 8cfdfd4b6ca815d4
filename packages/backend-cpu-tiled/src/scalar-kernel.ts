import { InvalidArgumentError } from '@pointwise/core';
import { driveRange, createDriverScratch, type BlockSteps } from './driver.js';
import type { BoundKernel, GemmKernel, KernelRequest, KernelSetup, OutputRange } from './gemm-kernel.js';
import type { Microkernel, StoreMicrokernel } from './microkernels.js';
import { packInputPanel } from './pack-input.js';
import { packWeights } from './pack-weights.js';
import type { PixelMap } from './pixel-block.js';
import { planConv1x1, type Conv1x1Plan } from './plan.js';
import { clampStored, storeBlock, type StoreTarget } from './store.js';

/** The setup of a scalar kernel: the plan and the packed weights (on a `SharedArrayBuffer` when prepared `shared`). */
export interface ScalarKernelSetup extends KernelSetup {
  readonly packed: Float32Array;
}

/** The offsets table of a store of consecutive pixels (not read). */
const NO_OFFSETS = new Uint32Array(0);
/** What the steps hold between runs (so they retain no caller array). */
const NO_DATA = new Float32Array(0);

/** A zero-filled `Float32Array` of `length` elements on a new `SharedArrayBuffer`. */
function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

/**
 * The steps of the scalar kernels in the driver: the input of a block packed
 * into slivers of `nr` pixels (`packInputPanel`), then per channel block
 * either the fused-store path (`K` in one panel, no padded pixel in the
 * block: full tiles go from the microkernel's registers to the output) or
 * the accumulator path (`K` in panels of `kc` into a float64 `mc × nc` block,
 * then one store pass with bias and activation).
 */
class ScalarSteps implements BlockSteps {
  readonly alignedChannelStart = false;
  readonly mapsPixels = true;
  output: Float32Array = NO_DATA;
  readonly outputBase = 0;
  readonly packed: Float32Array;
  readonly packedBase = 0;
  x: Float32Array = NO_DATA;
  readonly #plan: Conv1x1Plan;
  readonly #kernel: Microkernel;
  readonly #storeKernel: StoreMicrokernel;
  /** Packed input of a pixel block: slivers of `nr` pixels, each `K × nr`. */
  readonly #panel: Float32Array;
  /** Float64 accumulators of one `mc × nc` block. */
  readonly #accumulators: Float64Array;
  /** Float64 accumulators of one edge tile of the fused-store path (`mr × nr`, row stride `nr`). */
  readonly #tile: Float64Array;
  readonly #target: StoreTarget;

  constructor(plan: Conv1x1Plan, packed: Float32Array, kernel: Microkernel, storeKernel: StoreMicrokernel) {
    this.#plan = plan;
    this.packed = packed;
    this.#kernel = kernel;
    this.#storeKernel = storeKernel;
    this.#panel = new Float32Array(plan.geometry.inChannelsPerGroup * plan.nc);
    this.#accumulators = new Float64Array(plan.mc * plan.nc);
    this.#tile = new Float64Array(plan.mr * plan.nr);
    const ys = plan.outputStrides;
    this.#target = { firstChannel: 0, channelLo: 0, channelHi: 0, biasIndex: 0, imageBase: 0, channelStride: ys.c, pixelStride: ys.w };
  }

  gather(n: number, group: number, _p0: number, _count: number, map: PixelMap): void {
    const plan = this.#plan;
    const xs = plan.inputStrides;
    const k = plan.geometry.inChannelsPerGroup;
    packInputPanel(this.x, n * xs.n + group * k * xs.c, xs.c, k, plan.nr, map.inputOffsets, map.interior, this.#panel);
  }

  compute(n: number, group: number, lo: number, hi: number, t0: number, t1: number, p0: number, _count: number, map: PixelMap): void {
    const plan = this.#plan;
    const { mr, nr, mc, nc, kc, tilesPerGroup, biasOffset, geometry: g } = plan;
    const k = g.inChannelsPerGroup;
    const ys = plan.outputStrides;
    const target = this.#target;
    const interior = map.interior;
    target.imageBase = n * ys.n;
    if (k <= kc && map.padded === 0) {
      this.#storeFusedTiles(group, lo, hi, t0, t1, p0, interior);
      return;
    }
    const kernel = this.#kernel;
    const packed = this.packed;
    const panel = this.#panel;
    const accumulators = this.#accumulators;
    // Accumulator block: channel-major (row stride nc) for NCHW output, pixel-major (column stride mc) for NHWC.
    const rowStride = ys.c === 1 ? 1 : nc;
    const colStride = ys.c === 1 ? mc : 1;
    const slivers = Math.ceil(interior / nr);
    const sliverLength = k * nr;
    const tileBase = (group * tilesPerGroup + t0) * k * mr;
    for (let pc = 0; pc < k; pc += kc) {
      const steps = Math.min(kc, k - pc);
      for (let s = 0; s < slivers; s++) {
        const bOffset = s * sliverLength + pc * nr;
        let aOffset = tileBase + pc * mr;
        let cOffset = s * nr * colStride;
        for (let t = t0; t < t1; t++) {
          kernel(steps, packed, aOffset, panel, bOffset, accumulators, cOffset, rowStride, colStride, pc > 0);
          aOffset += k * mr;
          cOffset += mr * rowStride;
        }
      }
    }
    const groupChannel = group * g.outChannelsPerGroup;
    const firstChannel = groupChannel + t0 * mr;
    target.firstChannel = firstChannel;
    target.channelLo = Math.max(lo, firstChannel);
    target.channelHi = Math.min(hi, groupChannel + t1 * mr);
    target.biasIndex = biasOffset + (group * tilesPerGroup + t0) * mr;
    storeBlock(this.output, accumulators, rowStride, colStride, packed, target, map.outputOffsets, interior, map.padded === 0 ? p0 : -1, g.activation);
  }

  /**
   * The fused-store path of one channel block (tiles `[tileStart, tileEnd)`):
   * full tiles go straight from the microkernel's registers to the output.
   * Tiles cut by the range's channel bounds, and the block's last partial
   * sliver, are reduced the same way into a one-tile buffer and stored
   * element-wise, so an element's value never depends on which path stored
   * it. The activation follows as one pass over the block.
   */
  #storeFusedTiles(group: number, lo: number, hi: number, tileStart: number, tileEnd: number, firstPixel: number, interior: number): void {
    const plan = this.#plan;
    const { mr, nr, tilesPerGroup, biasOffset, geometry } = plan;
    const kernel = this.#kernel;
    const storeKernel = this.#storeKernel;
    const k = geometry.inChannelsPerGroup;
    const ys = plan.outputStrides;
    const { packed, output: out } = this;
    const panel = this.#panel;
    const tile = this.#tile;
    const target = this.#target;
    const groupChannel = group * geometry.outChannelsPerGroup;
    const imageBase = target.imageBase;
    const slivers = Math.ceil(interior / nr);
    for (let s = 0; s < slivers; s++) {
      const columns = Math.min(nr, interior - s * nr);
      const pixel = firstPixel + s * nr;
      const bOffset = s * k * nr;
      for (let t = tileStart; t < tileEnd; t++) {
        const firstChannel = groupChannel + t * mr;
        const tileIndex = group * tilesPerGroup + t;
        if (columns === nr && firstChannel >= lo && firstChannel + mr <= hi) {
          const outOffset = imageBase + firstChannel * ys.c + pixel * ys.w;
          storeKernel(k, packed, tileIndex * k * mr, panel, bOffset, out, outOffset, ys.c, ys.w, packed, biasOffset + tileIndex * mr);
        } else {
          kernel(k, packed, tileIndex * k * mr, panel, bOffset, tile, 0, nr, 1, false);
          target.firstChannel = firstChannel;
          target.channelLo = Math.max(lo, firstChannel);
          target.channelHi = Math.min(hi, firstChannel + mr);
          target.biasIndex = biasOffset + tileIndex * mr;
          storeBlock(out, tile, nr, 1, packed, target, NO_OFFSETS, columns, pixel, geometry.activation);
        }
      }
    }
    target.channelLo = Math.max(lo, groupChannel + tileStart * mr);
    target.channelHi = Math.min(hi, groupChannel + tileEnd * mr);
    clampStored(out, target, firstPixel, interior, geometry.activation);
  }
}

/**
 * A scalar TypeScript kernel of the table (`f32-gemm-<mr>x<nr>-minmax-scalar`):
 * float64 accumulators (V8 computes on doubles anyway; products of two
 * float32 are exact in float64), `K` in panels of `kc`, one rounding on
 * store. Works on the caller's arrays: no memory of its own.
 */
export function scalarKernel(mr: number, nr: number, kernel: Microkernel, storeKernel: StoreMicrokernel): GemmKernel {
  const entry: GemmKernel = {
    name: `f32-gemm-${mr}x${nr}-minmax-scalar`,
    option: 'js',
    mr,
    nr,
    accumulation: 'float64',
    feature: 'none',
    wholeK: false,
    alignedChannelStart: false,
    ownsMemory: false,
    prepare(request: KernelRequest): ScalarKernelSetup {
      const plan = planConv1x1(request.geometry, entry, request.plan);
      const target = request.shared ? sharedFloat32(plan.packedLength) : new Float32Array(plan.packedLength);
      return { kernel: entry.name, plan, packed: packWeights(plan, request.weights, request.bias, target) };
    },
    bind(setup: KernelSetup, _thread: number): BoundKernel {
      const { plan, packed } = setup as ScalarKernelSetup;
      if (setup.kernel !== entry.name) throw new InvalidArgumentError('setup.kernel', JSON.stringify(entry.name), setup.kernel);
      const steps = new ScalarSteps(plan, packed, kernel, storeKernel);
      const scratch = createDriverScratch(plan);
      return {
        plan,
        memory: null,
        runRange(range: OutputRange, x: Float32Array | null, out: Float32Array | null): void {
          if (x === null || out === null) throw new InvalidArgumentError('x, out', 'the run\'s input and output arrays (a scalar kernel has no memory of its own)', null);
          steps.x = x;
          steps.output = out;
          driveRange(plan, steps, range, scratch, null, 0);
          // The steps keep no caller array between runs (after a run that threw, until the next one).
          steps.x = NO_DATA;
          steps.output = NO_DATA;
        },
      };
    },
    release(): void {},
  };
  return entry;
}
