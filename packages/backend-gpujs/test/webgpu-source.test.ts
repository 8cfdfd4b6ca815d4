// The WebGPU kernel's generated WGSL, checked in Node (no WebGPU adapter here: gpu.js's `webgpu` 0.2.9 Dawn
// addon needs a newer libstdc++ than this machine has; the browser tests in apps/web run it on SwiftShader).
import { normalizeConv1x1, type Conv1x1Problem } from '@pointwise/core';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  KERNEL_ARGUMENT_TYPES,
  conv1x1KernelSource,
  conv1x1Vec4Wgsl,
  countWgslFetches,
  packInputWgsl,
  packWeightsForWgsl,
  packOutputChannels,
  vec4WgslBindings,
  workgroupCounts,
} from '../src/index.js';
import type { WebGpuDevice } from '../src/webgpu-api.js';
import { webGpuVec4Misfit } from '../src/webgpu-program.js';
import { makeProblem } from './helpers.js';

const GEOMETRIES: [string, Conv1x1Problem][] = [
  ['plain NCHW', makeProblem([1, 16, 5, 7], 12, {}, 1)],
  ['NHWC, Ci and Co not multiples of 4', makeProblem([1, 70, 6, 10], 5, { inputLayout: 'NHWC', outputLayout: 'NHWC' }, 2)],
  ['stride 2, padding, bias, relu6', makeProblem([1, 8, 9, 7], 8, { stride: 2, padding: [1, 0, 2, 3], bias: true, activation: 'relu6' }, 3)],
  ['groups 2, K = 8, clamp', makeProblem([1, 16, 7, 6], 8, { groups: 2, padding: 1, bias: true, activation: { type: 'clamp', min: -0.5, max: 0.25 } }, 4)],
  ['groups 3, K = 5, Co/g = 3 (packed per group)', makeProblem([1, 15, 7, 5], 9, { groups: 3, inputLayout: 'NHWC', outputLayout: 'NHWC', bias: true }, 7)],
];

interface TranslatingKernel {
  compiledSource: string;
  build(...args: unknown[]): Promise<void>;
}

/**
 * The WGSL gpu.js's WebGPU backend translates the scalar kernel to: `build()` translates and assembles the
 * module synchronously, then acquires a device asynchronously (which fails here; that rejection is expected).
 */
function gpujsScalarWgsl(problem: Conv1x1Problem): string {
  const gpujs = createRequire(import.meta.url)('gpu.js') as {
    WebGPUKernel: new (source: string, settings: object) => TranslatingKernel;
    input: (value: Float32Array, size: number[]) => unknown;
  };
  const { geometry: g } = normalizeConv1x1(problem);
  const k = g.inChannelsPerGroup;
  const constants: Record<string, unknown> = { w: gpujs.input(new Float32Array(k * g.outChannels), [k, g.outChannels]) };
  if (g.hasBias) constants.b = new Float32Array(g.outChannels);
  if (g.padTop + g.padBottom + g.padLeft + g.padRight > 0) constants.p = new Float32Array(g.outChannels);
  const kernel = new gpujs.WebGPUKernel(conv1x1KernelSource(g), {
    output: [g.outWidth, g.outHeight, g.outChannels],
    precision: 'single',
    constants,
    // gpu.createKernel turns the name → type map into this positional list.
    argumentTypes: Object.values(KERNEL_ARGUMENT_TYPES),
    loopMaxIterations: k + 1,
  });
  const dims = g.inputLayout === 'NCHW' ? [g.inWidth, g.inHeight, g.inChannels] : [g.inChannels, g.inWidth, g.inHeight];
  kernel.build(gpujs.input(new Float32Array(g.inChannels * g.inHeight * g.inWidth), dims), 0, 0, 0, 0, 0).catch(() => undefined);
  return kernel.compiledSource;
}

describe('WebGPU: global-memory reads per multiply-add, counted from the WGSL', () => {
  for (const [name, problem] of GEOMETRIES) {
    it(`${name}: gpu.js's WGSL of the scalar kernel 2, the packed WGSL kernel 5/16 ≤ 0.5`, () => {
      const scalar = countWgslFetches(gpujsScalarWgsl(problem));
      expect(scalar).toMatchObject({ fetches: 2, multiplyAdds: 1, fetchesPerMultiplyAdd: 2 });
      const packed = countWgslFetches(conv1x1Vec4Wgsl(normalizeConv1x1(problem).geometry));
      expect(packed).toMatchObject({ fetches: 5, multiplyAdds: 16, fetchesPerMultiplyAdd: 0.3125 });
    });
  }

  it('counts a vec4 load once, a vec4 × scalar product as 4, and skips uniforms and literal index products', () => {
    const source = [
      '@group(0) @binding(0) var<uniform> u : vec4<f32>;',
      '@group(0) @binding(1) var<storage, read> a : array<vec4<f32>>;',
      '@group(0) @binding(2) var<storage, read> c : array<f32>;',
      'fn get_c(i : u32) -> f32 {\n  return c[i] + c[i + 1u];\n}',
      'fn main() {',
      '  var s : vec4<f32> = vec4<f32>(0.0);',
      '  for (var k : u32 = 0u; k < 4u; k = k + 1u) {',
      '    let v : vec4<f32> = a[k * 2u];',
      '    s = s + v * get_c(k) + u * c[k];',
      '    s.x = s.x + v.y * c[k * 3u];',
      '  }',
      '}',
    ].join('\n');
    // a[…] 1, get_c(…) 2, c[…] twice 2; v·get_c 4, u·c 4 (u is not a vec4 local: 1), v.y·c 1.
    expect(countWgslFetches(source)).toMatchObject({ fetches: 5, multiplyAdds: 6 });
  });
});

describe('WebGPU: packed layouts', () => {
  it('packs the weights so vec4 (z·K4 + k)·4 + l holds w[4z … 4z+3][4k + l], zero past Co and K', () => {
    const problem = makeProblem([1, 6, 1, 1], 5, {}, 11);
    const { geometry } = normalizeConv1x1(problem);
    const w = problem.weights.data as Float32Array;
    const packed = packWeightsForWgsl(geometry, w);
    const k4 = 2;
    expect(packed.length).toBe(2 * k4 * 16);
    for (let z = 0; z < 2; z++) {
      for (let k = 0; k < k4; k++) {
        for (let l = 0; l < 4; l++) {
          for (let m = 0; m < 4; m++) {
            const co = 4 * z + m;
            const c = 4 * k + l;
            const expected = co < 5 && c < 6 ? w[co * 6 + c] : 0;
            expect(packed[((z * k4 + k) * 4 + l) * 4 + m], `z${z} k${k} l${l} m${m}`).toBe(expected);
          }
        }
      }
    }
  });

  it('packs per group when K or Co/g is not a multiple of 4: each group starts a block, its last block zero-padded', () => {
    // groups 2, K = 3, Co/g = 5: output blocks per group 2 (lanes 5–7 of each group are padding), input blocks per group 1.
    const problem = makeProblem([1, 6, 1, 1], 10, { groups: 2, bias: true }, 12);
    const { geometry } = normalizeConv1x1(problem);
    const w = problem.weights.data as Float32Array;
    const packed = packWeightsForWgsl(geometry, w);
    expect(packed.length).toBe(4 * 1 * 16);
    const channelOfLane = [0, 1, 2, 3, 4, -1, -1, -1, 5, 6, 7, 8, 9, -1, -1, -1];
    for (let z = 0; z < 4; z++) {
      for (let l = 0; l < 4; l++) {
        for (let m = 0; m < 4; m++) {
          const co = channelOfLane[4 * z + m]!;
          expect(packed[(z * 4 + l) * 4 + m], `z${z} l${l} m${m}`).toBe(co >= 0 && l < 3 ? w[co * 3 + l] : 0);
        }
      }
    }
    const bias = problem.bias as Float32Array;
    expect(packOutputChannels(geometry, bias)).toEqual(new Float32Array(channelOfLane.map((co) => (co >= 0 ? bias[co]! : 0))));
    // Input: block b of group gi = b reads channels 3·gi + l (l < 3), lane 3 stays 0.
    const pack = packInputWgsl(geometry);
    expect(pack).toContain('let gi : u32 = gid.z / 1u;');
    expect(pack).toContain('v.x = x[((gi * 3u + (kb * 4u + 0u)) * 1u + gid.y) * 1u + gid.x];');
    expect(pack).toContain('if ((kb * 4u + 3u) < 3u)');
    // Output blocks per group 2: the group of block z is z / 2.
    expect(conv1x1Vec4Wgsl(geometry)).toContain('(gid.z / 2u) * 1u');
    expect(packOutputChannels(normalizeConv1x1(GEOMETRIES[1]![1]).geometry, new Float32Array([1, 2, 3, 4, 5]))).toEqual(new Float32Array([1, 2, 3, 4, 5, 0, 0, 0]));
  });

  it('declares the bindings the geometry needs, in binding order, and reads the input layout it is given', () => {
    const plain = normalizeConv1x1(GEOMETRIES[0][1]).geometry;
    const full = normalizeConv1x1(GEOMETRIES[3][1]).geometry;
    expect(vec4WgslBindings(plain)).toEqual(['x', 'w', 'y']);
    expect(vec4WgslBindings(full)).toEqual(['bounds', 'x', 'w', 'b', 'p', 'y']);
    const wgsl = conv1x1Vec4Wgsl(full);
    vec4WgslBindings(full).forEach((name, i) => expect(wgsl).toMatch(new RegExp(`@binding\\(${i}\\) var<[^>]+> ${name} :`)));
    // Groups of 4 output channels (Co/g = 4, one block per group) start at input block (z / 1) · K4 = z · 2.
    expect(wgsl).toContain('(gid.z / 1u) * 84u');
    // NCHW reads channel-plane offsets, NHWC pixel-major offsets (70 channels per pixel).
    expect(packInputWgsl(plain)).toContain('x[((gid.z * 4u + 1u) * 5u + gid.y) * 7u + gid.x]');
    expect(packInputWgsl(normalizeConv1x1(GEOMETRIES[1][1]).geometry)).toContain('x[(gid.y * 10u + gid.x) * 70u + (gid.z * 4u + 2u)]');
    // Only the last block can run past Ci = 70: lanes 1–3 are guarded, lane 0 is not.
    expect(packInputWgsl(normalizeConv1x1(GEOMETRIES[1][1]).geometry)).toContain('if ((gid.z * 4u + 3u) < 70u)');
    expect(workgroupCounts([17, 8, 3])).toEqual([3, 1, 3]);
  });
});

describe('WebGPU: device limits decide between the packed program and the scalar kernel', () => {
  const limits = { maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 28, maxComputeWorkgroupsPerDimension: 65535 };
  const device = (overrides: Partial<typeof limits>) => ({ limits: { ...limits, ...overrides } }) as unknown as WebGpuDevice;
  const { geometry } = normalizeConv1x1(makeProblem([1, 96, 14, 14], 576, {}, 1));

  it('fits a MobileNetV2 layer under the default limits', () => {
    expect(webGpuVec4Misfit(device({}), geometry)).toBeNull();
  });

  it('names the buffer that exceeds the smaller of the two buffer limits', () => {
    // The packed weights are 144·24·64 = 221184 bytes; the output 144·196·16 = 451584 bytes.
    expect(webGpuVec4Misfit(device({ maxBufferSize: 300_000 }), geometry)).toBe("one packed output image needs 451584 bytes, over the device's 300000 per storage buffer");
    expect(webGpuVec4Misfit(device({ maxStorageBufferBindingSize: 200_000 }), geometry)).toMatch(/^the packed weights needs 221184 bytes/);
  });

  it('names the dispatch that exceeds the workgroup count per dimension', () => {
    // 576 output channels are 144 blocks: over a limit of 100 workgroups in z (the 96 input channels are 24).
    expect(webGpuVec4Misfit(device({ maxComputeWorkgroupsPerDimension: 100 }), geometry)).toBe(
      "the convolution dispatch needs 2×2×144 workgroups, over the device's 100 per dimension",
    );
  });
});
