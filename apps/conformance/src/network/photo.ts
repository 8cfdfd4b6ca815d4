import { readFile } from 'node:fs/promises';
import type * as tfTypes from '@tensorflow/tfjs-core';
import jpeg from 'jpeg-js';
import { tfjsCpu } from '../witnesses/tfjs-runtime.js';
import { preprocessPhoto } from './photo-preprocess.js';

/**
 * Decodes a JPEG photograph (jpeg-js) and prepares it the way face-api's
 * SSD-MobileNetV1 does (`preprocessPhoto`: zero-pad the bottom or right edge to
 * a square, resize bilinearly to `size × size`, scale to `[-1, 1]`).
 *
 * @returns an NHWC `[1, size, size, 3]` float32 TF.js tensor (RGB); the caller disposes it.
 */
export async function loadPhotoTensor(path: string, size: number): Promise<tfTypes.Tensor4D> {
  const tf = await tfjsCpu();
  const image = jpeg.decode(await readFile(path), { useTArray: true, formatAsRGBA: false });
  return preprocessPhoto(tf, { width: image.width, height: image.height, channels: 3, data: image.data }, size);
}
