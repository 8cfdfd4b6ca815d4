import type * as tfTypes from '@tensorflow/tfjs-core';

/** A decoded photograph: `height × width` pixels, `channels` (3: RGB, 4: RGBA, alpha ignored) bytes each, row-major. */
export interface DecodedPhoto {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/**
 * Prepares a decoded photograph the way face-api's SSD-MobileNetV1 does: zero-pad the bottom or
 * right edge to a square, resize bilinearly to `size × size` (TF.js `resizeBilinear`, no corner
 * alignment), scale to `[-1, 1]` as `v / 127.5 − 1`. Environment-neutral: the Node loader decodes
 * with jpeg-js, the browser loader with the browser's own decoder; both call this.
 *
 * @param tf TensorFlow.js (cpu backend).
 * @returns an NHWC `[1, size, size, 3]` float32 tensor (RGB); the caller disposes it.
 */
export function preprocessPhoto(tf: typeof tfTypes, image: DecodedPhoto, size: number): tfTypes.Tensor4D {
  const { width, height, channels, data } = image;
  const rgb = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < 3; c++) rgb[3 * p + c] = data[channels * p + c];
  return tf.tidy(() => {
    const pixels = tf.tensor4d(rgb, [1, height, width, 3]);
    const side = Math.max(height, width);
    const square = tf.pad(pixels, [
      [0, 0],
      [0, side - height],
      [0, side - width],
      [0, 0],
    ]);
    const resized = tf.image.resizeBilinear(square, [size, size], false, false);
    return tf.sub(tf.div(resized, 127.5), 1) as tfTypes.Tensor4D;
  });
}
