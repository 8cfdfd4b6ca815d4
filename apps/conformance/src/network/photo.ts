import { readFile } from 'node:fs/promises';
import type * as tfTypes from '@tensorflow/tfjs-core';
import jpeg from 'jpeg-js';
import { tfjsCpu } from '../witnesses/tfjs-runtime.js';

/**
 * Decodes a JPEG photograph (jpeg-js) and prepares it the way face-api's
 * SSD-MobileNetV1 does: zero-pad the bottom or right edge to a square, resize
 * bilinearly to `size × size` (TF.js `resizeBilinear`, no corner alignment),
 * scale to `[-1, 1]` as `v / 127.5 − 1`.
 *
 * @returns an NHWC `[1, size, size, 3]` float32 TF.js tensor (RGB); the caller disposes it.
 */
export async function loadPhotoTensor(path: string, size: number): Promise<tfTypes.Tensor4D> {
  const tf = await tfjsCpu();
  const image = jpeg.decode(await readFile(path), { useTArray: true, formatAsRGBA: false });
  return tf.tidy(() => {
    const rgb = tf.tensor4d(Float32Array.from(image.data), [1, image.height, image.width, 3]);
    const side = Math.max(image.height, image.width);
    const square = tf.pad(rgb, [
      [0, 0],
      [0, side - image.height],
      [0, side - image.width],
      [0, 0],
    ]);
    const resized = tf.image.resizeBilinear(square, [size, size], false, false);
    return tf.sub(tf.div(resized, 127.5), 1) as tfTypes.Tensor4D;
  });
}
