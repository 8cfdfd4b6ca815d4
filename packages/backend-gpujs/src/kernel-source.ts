import type { Conv1x1Geometry } from '@pointwise/core';

/**
 * The dimensions `[x, y, z]` (x fastest) under which the kernel reads one
 * image of the input (the run passes a view of image `n`, never the whole
 * batch), so that every coordinate it computes stays below the image's own
 * sizes: NCHW → `[W, H, Ci]`, read `x[c][h][w]`; NHWC → `[Ci, W, H]`, read
 * `x[h][w][c]`. gpu.js forms the flat texel index itself, in 32-bit integers.
 */
export function inputDimensions(geometry: Conv1x1Geometry): [number, number, number] {
  const { inChannels: ci, inHeight: h, inWidth: w } = geometry;
  return geometry.inputLayout === 'NCHW' ? [w, h, ci] : [ci, w, h];
}

/**
 * The clamp bounds as the kernel sees them: rounded to float32 (a bound
 * beyond the float32 range becomes ±∞, as the reference's float32 result
 * does), and which of the two comparisons can change a value. A lower bound
 * of −∞ never clamps, nor does an upper bound of +∞; every other bound,
 * infinite ones included (`clamp(−∞, −∞)`, `clamp(+∞, +∞)`, `clamp(1e39, …)`),
 * is compared at run time against the kernel arguments `lo` / `hi` — GLSL
 * has no infinity literal, a uniform carries one.
 */
export interface KernelClampBounds {
  readonly lo: number;
  readonly hi: number;
  readonly clampLow: boolean;
  readonly clampHigh: boolean;
}

/** The float32 clamp bounds of a geometry's activation (see {@link KernelClampBounds}). */
export function kernelClampBounds(geometry: Conv1x1Geometry): KernelClampBounds {
  const lo = Math.fround(geometry.activation.min);
  const hi = Math.fround(geometry.activation.max);
  return { lo, hi, clampLow: lo !== -Infinity, clampHigh: hi !== Infinity };
}

function activationExpression(geometry: Conv1x1Geometry, v: string): string {
  const { clampLow, clampHigh } = kernelClampBounds(geometry);
  if (!clampLow && !clampHigh) return v;
  const low = clampLow ? `${v} < lo ? lo : ` : '';
  const high = clampHigh ? `${v} > hi ? hi : ` : '';
  // GL compilers may lower the clamp to min/max, which turn NaN into a bound; only NaN differs from itself.
  return `${v} != ${v} ? ${v} : ${low}${high}${v}`;
}

/** `out · stride − padBefore`, as an expression (integer when `out` is). */
function sourceCoordinate(out: string, stride: number, padBefore: number): string {
  const scaled = stride === 1 ? out : `${out} * ${stride}`;
  return padBefore === 0 ? scaled : `(${scaled} - ${padBefore})`;
}

/** gpu.js argument types of the kernel: integer origins (GLSL `int`, wasm `i32`), float32 clamp bounds. */
export const KERNEL_ARGUMENT_TYPES = { x: 'Input', ox: 'Integer', oy: 'Integer', oz: 'Integer', lo: 'Float', hi: 'Float' } as const;

/**
 * The gpu.js kernel (JavaScript source, transpiled by gpu.js to GLSL, WGSL,
 * WebAssembly or plain JavaScript) computing one chunk of the output of
 * README “The operation” for one image. Every option is in the kernel: layouts
 * (input read order, output grid order — see `outputGrid`), stride and
 * padding (source coordinate; a padded cell holds the per-channel constant
 * `p[co]` = core's `paddedCellValues`, i.e. `act(b[co] + Σ_k w[co,k]·0)`,
 * NaN where a weight of that channel is not finite), groups (the input
 * channel base), bias and the clamp activation (bounds rounded to float32 and
 * passed as the arguments `lo` / `hi`, so infinite ones work; NaN passes
 * through: an explicit `v != v` guard, because GL compilers may lower the
 * clamp to `min`/`max`, which drop NaN). Geometry sizes are baked in as
 * integer literals: the kernel is compiled once per geometry.
 *
 * Arguments (types {@link KERNEL_ARGUMENT_TYPES}): `x` (one image of the
 * input, dimensions of {@link inputDimensions}), `ox, oy, oz` (the chunk's
 * origin in the output grid, integers), `lo, hi` (clamp bounds).
 * Constants: `w` (`[Co][K]`), `b` (`[Co]`, only with a bias), `p` (`[Co]`,
 * only with padding).
 *
 * Index arithmetic: thread ids, origins, output coordinates, source
 * coordinates and the loop counter are gpu.js `Integer`s (GLSL `int`, wasm
 * `i32`, JS numbers), exact for every valid problem. With `groups > 1` the
 * channel base is computed in float (`floor((co + 0.5) / (Co/g)) · K`), exact
 * while `Co ≤ 2²³` and `Ci ≤ 2²⁴`, which `prepare` requires (else
 * `BackendCapacityError`).
 * The dot product runs `k = 0 … K−1` with a float32 accumulator (float64 in
 * gpu.js's `cpu` mode).
 */
export function conv1x1KernelSource(geometry: Conv1x1Geometry): string {
  const g = geometry;
  const k = g.inChannelsPerGroup;
  const nchwOut = g.outputLayout === 'NCHW';
  // Integer expressions are inlined, never stored in a local: gpu.js declares a local initialised with an
  // integer expression as float (GLSL and WebAssembly alike), which is exact only below 2^24.
  const j = nchwOut ? '(this.thread.x + ox)' : '(this.thread.y + oy)';
  const i = nchwOut ? '(this.thread.y + oy)' : '(this.thread.z + oz)';
  const co = nchwOut ? '(this.thread.z + oz)' : '(this.thread.x + ox)';
  const si = sourceCoordinate(i, g.strideH, g.padTop);
  const sj = sourceCoordinate(j, g.strideW, g.padLeft);
  // (co + 0.5) / (Co/g) is never within float rounding of an integer, so floor() is exact on every GPU
  // (for Co ≤ 2^23, which prepare requires when groups > 1).
  const channel = g.groups === 1 ? 'k' : `Math.floor((${co} + 0.5) / ${g.outChannelsPerGroup}) * ${k} + k`;
  const read = g.inputLayout === 'NCHW' ? `x[${channel}][${si}][${sj}]` : `x[${si}][${sj}][${channel}]`;
  const lines: string[] = [g.hasBias ? `let sum = this.constants.b[${co}];` : 'let sum = 0;'];
  const loop = [`for (let k = 0; k < ${k}; k++) {`, `  sum += this.constants.w[${co}][k] * ${read};`, '}', `sum = ${activationExpression(g, 'sum')};`];
  const bounds: string[] = [];
  if (g.padTop > 0) bounds.push(`${si} >= 0`);
  if (g.padTop > 0 || g.padBottom > 0) bounds.push(`${si} < ${g.inHeight}`);
  if (g.padLeft > 0) bounds.push(`${sj} >= 0`);
  if (g.padLeft > 0 || g.padRight > 0) bounds.push(`${sj} < ${g.inWidth}`);
  if (bounds.length > 0) {
    lines.push(`if (${bounds.join(' && ')}) {`, ...loop.map((l) => `  ${l}`), '} else {', `  sum = this.constants.p[${co}];`, '}');
  } else {
    lines.push(...loop);
  }
  lines.push('return sum;');
  return `function conv1x1(x, ox, oy, oz, lo, hi) {\n${lines.map((l) => `  ${l}`).join('\n')}\n}`;
}
