import type { Conv1x1Geometry } from '@pointwise/core';
import { channelPacking, outputChannelOf } from './channel-packing.js';
import { kernelClampBounds } from './kernel-source.js';

/** Threads per workgroup of both WGSL programs: 8 × 8 pixels, one channel block (`@workgroup_size(8, 8, 1)`). */
export const WEBGPU_WORKGROUP: readonly [number, number, number] = [8, 8, 1];

/** A WGSL `u32` literal. */
const u = (n: number): string => `${n}u`;

/** The workgroup counts `[x, y, z]` that cover a thread grid `[x, y, z]` with {@link WEBGPU_WORKGROUP}. */
export function workgroupCounts(grid: readonly [number, number, number]): [number, number, number] {
  return [Math.ceil(grid[0] / WEBGPU_WORKGROUP[0]), Math.ceil(grid[1] / WEBGPU_WORKGROUP[1]), Math.ceil(grid[2] / WEBGPU_WORKGROUP[2])];
}

/**
 * WGSL of the program that packs one input image for the `vec4` WGSL kernel:
 * binding 0 `x` is the image as uploaded (`array<f32>`, NCHW `[Ci][H][W]` or
 * NHWC `[H][W][Ci]`), binding 1 `packed` receives `array<vec4<f32>>` of
 * `[inBlocks][H][W]` ({@link channelPacking}): element `(b·H + i)·W + j` holds
 * 4 channels of pixel `(i, j)` — `4b … 4b+3` (plain packing), or with a grouped
 * `K` not a multiple of 4, `gi·K + 4·kb …` of group `gi = b / K4`, block
 * `kb = b − gi·K4` — zero past `Ci` or the group's `K`. One thread per packed
 * element, grid `[W, H, inBlocks]`. Indices are `u32`, below `Ci·H·W < 2³¹` (checked).
 */
export function packInputWgsl(geometry: Conv1x1Geometry): string {
  const { inChannels: ci, inHeight: h, inWidth: w, inChannelsPerGroup: k } = geometry;
  const { k4, inBlocks, plain } = channelPacking(geometry);
  const index = (c: string) => (geometry.inputLayout === 'NCHW' ? `(${c} * ${u(h)} + gid.y) * ${u(w)} + gid.x` : `(gid.y * ${u(w)} + gid.x) * ${u(ci)} + ${c}`);
  const lanes = ['x', 'y', 'z', 'w'].map((lane, l) => {
    if (plain) {
      const c = `(gid.z * 4u + ${u(l)})`;
      // Only the last block can run past Ci; the guard keeps the read inside the image.
      return ci % 4 === 0 || l === 0 ? `  v.${lane} = x[${index(c)}];` : `  if (${c} < ${u(ci)}) { v.${lane} = x[${index(c)}]; }`;
    }
    const within = `(kb * 4u + ${u(l)})`;
    return l === 0 ? `  v.${lane} = x[${index(`(gi * ${u(k)} + ${within})`)}];` : `  if (${within} < ${u(k)}) { v.${lane} = x[${index(`(gi * ${u(k)} + ${within})`)}]; }`;
  });
  const group = plain ? [] : [`  let gi : u32 = gid.z / ${u(k4)};`, `  let kb : u32 = gid.z - gi * ${u(k4)};`];
  return [
    '@group(0) @binding(0) var<storage, read> x : array<f32>;',
    '@group(0) @binding(1) var<storage, read_write> packed : array<vec4<f32>>;',
    `@compute @workgroup_size(${WEBGPU_WORKGROUP.join(', ')})`,
    'fn main(@builtin(global_invocation_id) gid : vec3<u32>) {',
    `  if (gid.x >= ${u(w)} || gid.y >= ${u(h)} || gid.z >= ${u(inBlocks)}) { return; }`,
    ...group,
    '  var v : vec4<f32> = vec4<f32>(0.0);',
    ...lanes,
    `  packed[(gid.z * ${u(h)} + gid.y) * ${u(w)} + gid.x] = v;`,
    '}',
  ].join('\n');
}

/**
 * The binding names of {@link conv1x1Vec4Wgsl} for a geometry; binding `i` is element `i`: `bounds` when the
 * activation clamps, `x`, `w`, then `b` (bias) and `p` (padded values) when the geometry has them, then `y`.
 * Only bindings the shader uses are declared (a pipeline's automatic layout drops unused ones).
 */
export function vec4WgslBindings(geometry: Conv1x1Geometry): readonly string[] {
  const padded = geometry.padTop + geometry.padBottom + geometry.padLeft + geometry.padRight > 0;
  const { clampLow, clampHigh } = kernelClampBounds(geometry);
  return [...(clampLow || clampHigh ? ['bounds'] : []), 'x', 'w', ...(geometry.hasBias ? ['b'] : []), ...(padded ? ['p'] : []), 'y'];
}

/**
 * WGSL of the fetch-efficient WebGPU kernel for one image: each thread
 * computes the 4 output channels `4z … 4z+3` of one output pixel `(i, j)`,
 * grid `[Wo, Ho, ceil(Co/4)]`. Bindings ({@link vec4WgslBindings}):
 * - `bounds` (uniform `vec4<f32>`, when the activation clamps): `.x` = lower, `.y` = upper clamp bound,
 *   float32 (a uniform carries ±∞; WGSL has no infinity literal);
 * - `x`: the packed input, `array<vec4<f32>>` `[inBlocks][H][W]` ({@link channelPacking})
 *   ({@link packInputWgsl}, or a resident output of a previous layer: same packing);
 * - `w`: the weights packed by {@link packWeightsForWgsl}: element
 *   `(z·K4 + k)·4 + l` holds the weights of input channel `4k + l` (of the block's group) for
 *   the 4 output channels of block `z` (`K4 = ceil(K/4)`);
 * - `b`, `p`: bias and core's `paddedCellValues` per output block ({@link packOutputChannels}), zero in padding lanes;
 * - `y`: the output, `array<vec4<f32>>` `[outBlocks][Ho][Wo]`; with the plain packing channels past `Co` are
 *   written as 0 (so it is the next layer's packed input, whose padded weights are 0).
 *
 * One loop step reads 1 input `vec4` and 4 weight `vec4`s for 16 multiply-adds
 * (4 `vec4 × scalar` products): 0.3125 global-memory reads per multiply-add,
 * against 2 for gpu.js's translation of the scalar kernel (whose every array
 * read is one `f32` load). Each output channel accumulates bias first, then
 * input channels in increasing order, as the reference does. Clamping keeps
 * NaN (tested on the bits: a compiler may assume `v != v` is false).
 * With `groups > 1` the input block base is `(z / Cog4)·K4` (blocks padded per group), exact `u32` division. Every index is `u32` below the
 * element count of a buffer (checked below 2³¹ elements before the program is built).
 */
export function conv1x1Vec4Wgsl(geometry: Conv1x1Geometry): string {
  const g = geometry;
  const { k4, cog4, outBlocks: co4, plain } = channelPacking(g);
  const plane = g.inHeight * g.inWidth;
  const padded = g.padTop + g.padBottom + g.padLeft + g.padRight > 0;
  const bindings = vec4WgslBindings(g);
  const types: Record<string, string> = {
    bounds: 'var<uniform> bounds : vec4<f32>',
    x: 'var<storage, read> x : array<vec4<f32>>',
    w: 'var<storage, read> w : array<vec4<f32>>',
    b: 'var<storage, read> b : array<vec4<f32>>',
    p: 'var<storage, read> p : array<vec4<f32>>',
    y: 'var<storage, read_write> y : array<vec4<f32>>',
  };
  const lines = bindings.map((name, i) => `@group(0) @binding(${i}) ${types[name]};`);
  lines.push(`@compute @workgroup_size(${WEBGPU_WORKGROUP.join(', ')})`, 'fn main(@builtin(global_invocation_id) gid : vec3<u32>) {');
  const body: string[] = [`if (gid.x >= ${u(g.outWidth)} || gid.y >= ${u(g.outHeight)} || gid.z >= ${u(co4)}) { return; }`];
  // Source coordinates as i32 (negative in the top / left padding): out·stride − padBefore.
  const source = (out: string, stride: number, before: number) => `i32(${out})${stride === 1 ? '' : ` * ${stride}`}${before === 0 ? '' : ` - ${before}`}`;
  body.push(`let si : i32 = ${source('gid.y', g.strideH, g.padTop)};`, `let sj : i32 = ${source('gid.x', g.strideW, g.padLeft)};`);
  const groupBase = g.groups === 1 ? '' : ` + (gid.z / ${u(cog4)}) * ${u(k4 * plane)}`;
  const loop = [
    g.hasBias ? 's = b[gid.z];' : 's = vec4<f32>(0.0);',
    `let xb : u32 = u32(si) * ${u(g.inWidth)} + u32(sj)${groupBase};`,
    `let wb : u32 = gid.z * ${u(k4 * 4)};`,
    `for (var k : u32 = 0u; k < ${u(k4)}; k = k + 1u) {`,
    `  let v : vec4<f32> = x[xb + k * ${u(plane)}];`,
    '  let w0 : vec4<f32> = w[wb + k * 4u];',
    '  let w1 : vec4<f32> = w[wb + k * 4u + 1u];',
    '  let w2 : vec4<f32> = w[wb + k * 4u + 2u];',
    '  let w3 : vec4<f32> = w[wb + k * 4u + 3u];',
    '  s = s + w0 * v.x;',
    '  s = s + w1 * v.y;',
    '  s = s + w2 * v.z;',
    '  s = s + w3 * v.w;',
    '}',
  ];
  body.push('var s : vec4<f32>;');
  if (padded) {
    const inside: string[] = [];
    if (g.padTop > 0) inside.push('si >= 0');
    if (g.padTop > 0 || g.padBottom > 0) inside.push(`si < ${g.inHeight}`);
    if (g.padLeft > 0) inside.push('sj >= 0');
    if (g.padLeft > 0 || g.padRight > 0) inside.push(`sj < ${g.inWidth}`);
    body.push(`if (${inside.join(' && ')}) {`, ...loop.map((l) => `  ${l}`), '} else {', '  s = p[gid.z];', '}');
  } else {
    body.push(...loop);
  }
  const { clampLow, clampHigh } = kernelClampBounds(g);
  body.push('var r : vec4<f32> = s;');
  if (clampLow) body.push('r = select(r, vec4<f32>(bounds.x), r < vec4<f32>(bounds.x));');
  if (clampHigh) body.push('r = select(r, vec4<f32>(bounds.y), r > vec4<f32>(bounds.y));');
  if (clampLow || clampHigh) body.push('r = select(r, s, (bitcast<vec4<u32>>(s) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u));');
  if (plain && g.outChannels % 4 !== 0) {
    body.push(`r = select(r, vec4<f32>(0.0), vec4<u32>(gid.z * 4u) + vec4<u32>(0u, 1u, 2u, 3u) >= vec4<u32>(${u(g.outChannels)}));`);
  }
  body.push(`y[(gid.z * ${u(g.outHeight)} + gid.y) * ${u(g.outWidth)} + gid.x] = r;`);
  lines.push(...body.map((l) => `  ${l}`), '}');
  return lines.join('\n');
}

/**
 * Packs weights `[Co][K]` (row-major, `K = Ci/groups`) for {@link conv1x1Vec4Wgsl}:
 * `outBlocks·K4·4` vec4s ({@link channelPacking}; 16 floats per `(z, k)` step),
 * element `((z·K4 + k)·4 + l)·4 + m` = `w[co][4k + l]` where `co` is lane `m` of
 * output block `z` ({@link outputChannelOf}), zero for padding lanes and past `K`.
 * Returns a new array; `weights` is not modified.
 */
export function packWeightsForWgsl(geometry: Conv1x1Geometry, weights: Float32Array): Float32Array {
  const k = geometry.inChannelsPerGroup;
  const packing = channelPacking(geometry);
  const packed = new Float32Array(packing.outBlocks * packing.k4 * 16);
  for (let z = 0; z < packing.outBlocks; z++) {
    for (let m = 0; m < 4; m++) {
      const co = outputChannelOf(geometry, packing, z, m);
      if (co < 0) continue;
      for (let c = 0; c < k; c++) packed[(z * packing.k4 * 4 + c) * 4 + m] = weights[co * k + c];
    }
  }
  return packed;
}
