import type { Conv1x1Geometry } from '@pointwise/core';
import { channelPacking } from './channel-packing.js';

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

/**
 * gpu.js source of the kernel that packs one input image into the texture the
 * `vec4` kernel reads: output `[W, H, inBlocks]` ({@link channelPacking}), return
 * type `Array(4)`, texel `(j, i, b)` = 4 channels of pixel `(i, j)`: channels
 * `4b … 4b+3` (plain packing), or with a grouped `K` not a multiple of 4,
 * channels `gi·K + 4kb …` of group `gi = floor(b / K4)`, block `kb = b − gi·K4`
 * (`gi·(K − 4·K4)` added to `4b + l`); zero past `Ci` or the group's `K`.
 * Argument `x`: the image as a gpu.js `Input` of {@link inputDimensions}.
 * Runs once per image and run — the upload — whatever the number of output chunks.
 */
export function packInputKernelSource(geometry: Conv1x1Geometry): string {
  const ci = geometry.inChannels;
  const k = geometry.inChannelsPerGroup;
  const { k4, plain } = channelPacking(geometry);
  const read = (c: string) => (geometry.inputLayout === 'NCHW' ? `x[${c}][this.thread.y][this.thread.x]` : `x[this.thread.y][this.thread.x][${c}]`);
  const lines = ['let r0 = 0;', 'let r1 = 0;', 'let r2 = 0;', 'let r3 = 0;'];
  if (plain) {
    lines.push(`r0 = ${read('this.thread.z * 4')};`);
    for (let l = 1; l < 4; l++) lines.push(`if (this.thread.z * 4 + ${l} < ${ci}) {`, `  r${l} = ${read(`this.thread.z * 4 + ${l}`)};`, '}');
  } else {
    // Group base in float, exact for Ci ≤ 2^24 (checked): (b + 0.5) / K4 is never within rounding of an integer.
    const group = `Math.floor((this.thread.z + 0.5) / ${k4})`;
    const channel = (l: number) => `this.thread.z * 4 + ${l} - ${group} * ${4 * k4 - k}`;
    lines.push(`r0 = ${read(channel(0))};`);
    for (let l = 1; l < 4; l++) lines.push(`if (this.thread.z * 4 + ${l} - ${group} * ${4 * k4} < ${k}) {`, `  r${l} = ${read(channel(l))};`, '}');
  }
  lines.push('return [r0, r1, r2, r3];');
  return `function packInput(x) {\n${lines.map((l) => `  ${l}`).join('\n')}\n}`;
}

/**
 * gpu.js source of the kernel that packs the weights `[Co][K]` (a gpu.js
 * `Input` of dimensions `[K, Co]`) into `[K4, 4, outBlocks]` texels
 * ({@link channelPacking}): texel `(k4, l, z)` = `w[co][4·k4 … 4·k4+3]` for the
 * output channel `co` of lane `l` of block `z` — `4z + l` (plain packing), or
 * with a grouped `Co/g` not a multiple of 4, `4z + l + gi·(Co/g − 4·Cog4)` in
 * group `gi = floor(z / Cog4)` — zero past `K` and for padding lanes.
 * Runs once, in `prepare`.
 */
export function packWeightsKernelSource(geometry: Conv1x1Geometry): string {
  const k = geometry.inChannelsPerGroup;
  const cog = geometry.outChannelsPerGroup;
  const { cog4 } = channelPacking(geometry);
  const padded = geometry.groups > 1 && cog % 4 !== 0;
  const group = `Math.floor((this.thread.z + 0.5) / ${cog4})`;
  const co = padded ? `(this.thread.z * 4 + this.thread.y - ${group} * ${4 * cog4 - cog})` : '(this.thread.z * 4 + this.thread.y)';
  const valid = padded ? `this.thread.z * 4 + this.thread.y - ${group} * ${4 * cog4} < ${cog}` : `${co} < ${geometry.outChannels}`;
  const lines = ['let r0 = 0;', 'let r1 = 0;', 'let r2 = 0;', 'let r3 = 0;', `if (${valid}) {`, `  r0 = w[${co}][this.thread.x * 4];`];
  for (let l = 1; l < 4; l++) lines.push(`  if (this.thread.x * 4 + ${l} < ${k}) {`, `    r${l} = w[${co}][this.thread.x * 4 + ${l}];`, '  }');
  lines.push('}', 'return [r0, r1, r2, r3];');
  return `function packWeights(w) {\n${lines.map((l) => `  ${l}`).join('\n')}\n}`;
}

/** gpu.js argument types of the `vec4` kernel: packed textures, integer origins, float32 clamp bounds. */
export const VEC4_KERNEL_ARGUMENT_TYPES = {
  x: 'ArrayTexture(4)',
  w: 'ArrayTexture(4)',
  ox: 'Integer',
  oy: 'Integer',
  oz: 'Integer',
  lo: 'Float',
  hi: 'Float',
} as const;

/**
 * The fetch-efficient GL kernel (gpu.js source) for one chunk of the output
 * grid `[Wo, Ho, ceil(Co/4)]` of one image: each thread computes the 4 output
 * channels `4z … 4z+3` of one pixel and returns them as `Array(4)` (one RGBA
 * texel). The input comes packed 4 channels per texel ({@link packInputKernelSource},
 * or a resident output of a previous layer, which has the same packing) and the
 * weights 4 input channels per texel ({@link packWeightsKernelSource}), so one
 * loop step reads 1 input texel and 4 weight texels for 16 multiply-adds:
 * 0.3125 fetches per multiply-add, against 2 in {@link conv1x1KernelSource}.
 *
 * Same semantics as the scalar kernel: stride and padding in the source
 * coordinate, padded cells hold `p[co]` (core's `paddedCellValues`, padded
 * with zeros to a multiple of 4 channels), bias `b`, clamp bounds `lo` / `hi`
 * with NaN passed through. Channels past `Co` (when `Co % 4 ≠ 0`) are written
 * as 0, so the texel padding of a resident output stays 0 when it is the next
 * layer's input (whose padded weights are 0: 0·0, never 0·∞). With
 * `groups > 1` the input texel base is `floor((z + 0.5) / Cog4) · K4`
 * ({@link channelPacking}: blocks padded per group), float arithmetic exact for `Co ≤ 2²³`.
 * Integer indices are inlined, never stored in locals (gpu.js would declare them float).
 *
 * Arguments (types {@link VEC4_KERNEL_ARGUMENT_TYPES}): `x`, `w`, `ox, oy, oz`, `lo, hi`.
 */
export function conv1x1Vec4KernelSource(geometry: Conv1x1Geometry): string {
  const g = geometry;
  const { k4, cog4, plain } = channelPacking(g);
  const z = '(this.thread.z + oz)';
  const i = '(this.thread.y + oy)';
  const j = '(this.thread.x + ox)';
  const si = sourceCoordinate(i, g.strideH, g.padTop);
  const sj = sourceCoordinate(j, g.strideW, g.padLeft);
  const texel = g.groups === 1 ? 'k' : `Math.floor((${z} + 0.5) / ${cog4}) * ${k4} + k`;
  const sums = [0, 1, 2, 3].map((l) => `s${l}`);
  const lines: string[] = sums.map((s, l) => (g.hasBias ? `let ${s} = this.constants.b[${z} * 4 + ${l}];` : `let ${s} = 0;`));
  const loop = [`for (let k = 0; k < ${k4}; k++) {`, `  const v = x[${texel}][${si}][${sj}];`];
  const weightNames = ['a', 'b', 'c', 'd'];
  weightNames.forEach((name, l) => loop.push(`  const ${name} = w[${z}][${l}][k];`));
  weightNames.forEach((name, l) => loop.push(`  s${l} += ${name}[0] * v[0] + ${name}[1] * v[1] + ${name}[2] * v[2] + ${name}[3] * v[3];`));
  loop.push('}');
  const bounds: string[] = [];
  if (g.padTop > 0) bounds.push(`${si} >= 0`);
  if (g.padTop > 0 || g.padBottom > 0) bounds.push(`${si} < ${g.inHeight}`);
  if (g.padLeft > 0) bounds.push(`${sj} >= 0`);
  if (g.padLeft > 0 || g.padRight > 0) bounds.push(`${sj} < ${g.inWidth}`);
  if (bounds.length > 0) {
    lines.push(`if (${bounds.join(' && ')}) {`, ...loop.map((l) => `  ${l}`), '} else {', ...sums.map((s, l) => `  ${s} = this.constants.p[${z} * 4 + ${l}];`), '}');
  } else {
    lines.push(...loop);
  }
  for (const [l, s] of sums.entries()) {
    lines.push(`${s} = ${activationExpression(g, s)};`);
    // Channels past Co stay 0 (see above); only the last block has any. (Per-group padding lanes are never read.)
    if (plain && g.outChannels % 4 !== 0 && l >= g.outChannels % 4) lines.push(`if (${z} * 4 + ${l} >= ${g.outChannels}) {`, `  ${s} = 0;`, '}');
  }
  lines.push('return [s0, s1, s2, s3];');
  return `function conv1x1Vec4(x, w, ox, oy, oz, lo, hi) {\n${lines.map((l) => `  ${l}`).join('\n')}\n}`;
}
