import { BackendCapacityError, InvalidArgumentError } from '@pointwise/core';
import type { Conv1x1Plan } from '../plan.js';

const PAGE_BYTES = 65536;
/** Bytes a microkernel may read past the end of an operand: two panel rows of `nr` floats (64 for the 4×8 tile). */
function readSlackBytes(plan: Conv1x1Plan): number {
  return Math.max(64, 2 * plan.nr * 4);
}
/** The largest memory a 32-bit WebAssembly module addresses (4 GiB). */
export const WASM_MAX_MEMORY_BYTES = 65536 * PAGE_BYTES;

function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** Per-thread regions of a {@link WasmConvLayout}, as byte offsets. */
export interface WasmThreadRegions {
  /** Gathered input panels of one pixel block: `ceil(nc/nr)` panels of `K × nr` float32. */
  readonly panel: number;
  /** Per-pixel gather table of one pixel block: `nc` u32 byte offsets (`0xffffffff` for padding). */
  readonly offsets: number;
  /** `mr·nr`-float staging area of the edge tiles. */
  readonly stage: number;
}

/**
 * Where everything of one operator lives in its WebAssembly memory (byte
 * offsets, 16-byte aligned). A plain record: post it to worker threads with
 * the memory. Fixed at prepare time, so runs never grow the memory.
 */
export interface WasmConvLayout {
  /** `[min, max]` of the activation, two float32. */
  readonly clamp: number;
  /** Packed weights and bias in the layout of `packWeights` (the plan's `mr`), `plan.packedLength` float32. */
  readonly weights: number;
  /** The input tensor in its own layout, `N·Ci·H·W` float32. */
  readonly input: number;
  readonly inputLength: number;
  /** The output tensor in its own layout, `N·Co·Ho·Wo` float32. */
  readonly output: number;
  readonly outputLength: number;
  /** One scratch set per thread (index = the `thread` argument of the range run). */
  readonly threads: readonly WasmThreadRegions[];
  /** Total bytes; the memory has exactly `pages` pages. */
  readonly bytes: number;
  readonly pages: number;
}

/**
 * Lays out the memory of one operator for `threads` concurrent range runs.
 * Every offset and size is a byte count below 2^32 (checked here), so the
 * module's u32 address arithmetic is exact.
 * @param backend the backend named in a capacity error (default `'cpu-tiled'`).
 * @throws {InvalidArgumentError} when `threads` is not an integer ≥ 1.
 * @throws {BackendCapacityError} when the operator needs more than the 4 GiB a
 *   32-bit WebAssembly memory holds: a limit of the kernel, not of the problem
 *   (cpu-tiled then runs its JS kernel).
 */
export function planWasmLayout(plan: Conv1x1Plan, threads = 1, backend = 'cpu-tiled'): WasmConvLayout {
  if (!Number.isInteger(threads) || threads < 1) throw new InvalidArgumentError('threads', 'an integer ≥ 1', threads);
  const g = plan.geometry;
  const inputLength = g.inputShape.reduce((a, b) => a * b, 1);
  const outputLength = g.outputShape.reduce((a, b) => a * b, 1);
  let next = 16;
  const take = (bytes: number): number => {
    const at = next;
    next = align16(next + bytes);
    return at;
  };
  const clamp = take(8);
  const weights = take(plan.packedLength * 4);
  const slack = readSlackBytes(plan);
  const input = take(inputLength * 4 + slack);
  const output = take(outputLength * 4);
  const panelBytes = Math.ceil(plan.nc / plan.nr) * plan.nr * g.inChannelsPerGroup * 4 + slack;
  const regions: WasmThreadRegions[] = [];
  for (let t = 0; t < threads; t++) {
    regions.push({ panel: take(panelBytes), offsets: take(plan.nc * 4), stage: take(plan.mr * plan.nr * 4) });
  }
  if (next > WASM_MAX_MEMORY_BYTES) {
    throw new BackendCapacityError(
      backend,
      `WebAssembly memory of ${WASM_MAX_MEMORY_BYTES} bytes`,
      `the ${plan.kernel} kernel needs ${next} bytes for weights, input, output and ${threads} scratch region(s)`,
    );
  }
  return { clamp, weights, input, inputLength, output, outputLength, threads: regions, bytes: next, pages: Math.ceil(next / PAGE_BYTES) };
}
