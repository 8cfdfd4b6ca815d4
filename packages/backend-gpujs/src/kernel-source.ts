import type { Conv1x1Geometry } from '@pointwise/core';

/**
 * The dimensions `[x, y, z]` (x fastest) under which the kernel reads the
 * input data, so that every index it computes stays small (gpu.js forms the
 * flat texel index itself, in 32-bit integers): NCHW → `[W, H, N·Ci]`, read
 * `x[n·Ci + c][h][w]`; NHWC → `[Ci, W, N·H]`, read `x[n·H + h][w][c]`.
 */
export function inputDimensions(geometry: Conv1x1Geometry): [number, number, number] {
  const { batch: n, inChannels: ci, inHeight: h, inWidth: w } = geometry;
  return geometry.inputLayout === 'NCHW' ? [w, h, n * ci] : [ci, w, n * h];
}

function activationExpression(geometry: Conv1x1Geometry, v: string): string {
  const { min, max } = geometry.activation;
  const low = Number.isFinite(min) ? `${v} < ${String(min)} ? ${String(min)} : ` : '';
  const high = Number.isFinite(max) ? `${v} > ${String(max)} ? ${String(max)} : ` : '';
  if (low === '' && high === '') return v;
  // GL compilers may lower the clamp to min/max, which turn NaN into a bound; only NaN differs from itself.
  return `${v} != ${v} ? ${v} : ${low}${high}${v}`;
}

function sourceCoordinate(name: string, out: string, stride: number, padBefore: number): string {
  const scaled = stride === 1 ? out : `${out} * ${stride}`;
  return `const ${name} = ${padBefore === 0 ? scaled : `${scaled} - ${padBefore}`};`;
}

/**
 * The gpu.js kernel (JavaScript source, transpiled by gpu.js to GLSL, WGSL,
 * WebAssembly or plain JavaScript) computing one chunk of the output of
 * README “The operation” for one image. Every option is in the kernel: layouts
 * (input read order, output grid order — see `outputGrid`), stride and
 * padding (source coordinate, padded cells hold `act(bias)` without reading
 * the input), groups (the input channel base), bias and the clamp
 * activation (NaN passes through: an explicit `v != v` guard, because GL compilers
 * may lower the clamp to `min`/`max`, which drop NaN; GLSL ES 1.00 does not
 * require NaN at all, so a driver may still lose it). Geometry sizes are baked in
 * as literals: the kernel is compiled once per geometry.
 *
 * Arguments: `x` (the input, dimensions of {@link inputDimensions}), `n`
 * (the image), `ox, oy, oz` (the chunk's origin in the output grid).
 * Constants: `w` (`[Co][K]`), `b` (`[Co]`, only with a bias).
 * The dot product runs `k = 0 … K−1` with a float32 accumulator (float64 in
 * gpu.js's `cpu` mode).
 */
export function conv1x1KernelSource(geometry: Conv1x1Geometry): string {
  const g = geometry;
  const k = g.inChannelsPerGroup;
  const nchwOut = g.outputLayout === 'NCHW';
  const lines: string[] = [
    `const j = this.thread.${nchwOut ? 'x' : 'y'} + ${nchwOut ? 'ox' : 'oy'};`,
    `const i = this.thread.${nchwOut ? 'y' : 'z'} + ${nchwOut ? 'oy' : 'oz'};`,
    `const co = this.thread.${nchwOut ? 'z' : 'x'} + ${nchwOut ? 'oz' : 'ox'};`,
    // (co + 0.5) / (Co/g) is never within float rounding of an integer, so floor() is exact on every GPU.
    g.groups === 1 ? 'const cb = 0;' : `const cb = Math.floor((co + 0.5) / ${g.outChannelsPerGroup}) * ${k};`,
    sourceCoordinate('si', 'i', g.strideH, g.padTop),
    sourceCoordinate('sj', 'j', g.strideW, g.padLeft),
    g.hasBias ? 'let sum = this.constants.b[co];' : 'let sum = 0;',
  ];
  const read =
    g.inputLayout === 'NCHW'
      ? `x[n * ${g.inChannels} + cb + k][si][sj]`
      : `x[n * ${g.inHeight} + si][sj][cb + k]`;
  const loop = [`for (let k = 0; k < ${k}; k++) {`, `  sum += this.constants.w[co][k] * ${read};`, '}'];
  const bounds: string[] = [];
  if (g.padTop > 0) bounds.push('si >= 0');
  if (g.padTop > 0 || g.padBottom > 0) bounds.push(`si < ${g.inHeight}`);
  if (g.padLeft > 0) bounds.push('sj >= 0');
  if (g.padLeft > 0 || g.padRight > 0) bounds.push(`sj < ${g.inWidth}`);
  if (bounds.length > 0) lines.push(`if (${bounds.join(' && ')}) {`, ...loop.map((l) => `  ${l}`), '}');
  else lines.push(...loop);
  lines.push(`return ${activationExpression(g, 'sum')};`);
  return `function conv1x1(x, n, ox, oy, oz) {\n${lines.map((l) => `  ${l}`).join('\n')}\n}`;
}
