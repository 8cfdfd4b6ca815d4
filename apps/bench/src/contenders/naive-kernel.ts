import { layoutStrides, sourceIndex, type Conv1x1Geometry } from '@pointwise/core';

/**
 * The 1× baseline: the loops a person writes straight from the definition
 * (README “The operation”) — for each output element, a dot product over the
 * group's input channels — with no blocking, packing or unrolling. The sum is
 * a JavaScript number (float64), stored once into the float32 output.
 *
 * @param geometry normalised geometry (any layout, stride, padding, groups, activation).
 * @param x input data `[N, Ci, H, W]` in `geometry.inputLayout`.
 * @param weights `[Co, Ci/groups]` row-major.
 * @param bias `[Co]` or `null`.
 * @param out output data `[N, Co, Ho, Wo]` in `geometry.outputLayout`; every element is written.
 */
export function naiveConv1x1(
  geometry: Conv1x1Geometry,
  x: Float32Array,
  weights: Float32Array,
  bias: Float32Array | null,
  out: Float32Array,
): void {
  const { batch, outChannels, outHeight, outWidth, inChannelsPerGroup: k, outChannelsPerGroup } = geometry;
  const inStride = layoutStrides(geometry.inputShape, geometry.inputLayout);
  const outStride = layoutStrides(geometry.outputShape, geometry.outputLayout);
  const { min, max } = geometry.activation;
  for (let n = 0; n < batch; n++) {
    for (let co = 0; co < outChannels; co++) {
      const firstChannel = Math.floor(co / outChannelsPerGroup) * k;
      const filter = co * k;
      for (let oy = 0; oy < outHeight; oy++) {
        const iy = sourceIndex(oy, geometry.strideH, geometry.padTop, geometry.inHeight);
        for (let ox = 0; ox < outWidth; ox++) {
          const ix = sourceIndex(ox, geometry.strideW, geometry.padLeft, geometry.inWidth);
          let acc = bias === null ? 0 : bias[co];
          if (iy >= 0 && ix >= 0) {
            const pixel = n * inStride.n + iy * inStride.h + ix * inStride.w;
            for (let c = 0; c < k; c++) acc += weights[filter + c] * x[pixel + (firstChannel + c) * inStride.c];
          }
          out[n * outStride.n + co * outStride.c + oy * outStride.h + ox * outStride.w] = acc < min ? min : acc > max ? max : acc;
        }
      }
    }
  }
}
