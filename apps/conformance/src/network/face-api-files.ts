import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let root: string | undefined;

/**
 * Directory of the installed `@vladmandic/face-api` package, which ships the
 * SSD-MobileNetV1 weights (`model/`) and sample photographs (`demo/`): the
 * real-network tier runs offline from these files.
 */
export function faceApiDirectory(): string {
  root ??= dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json'));
  return root;
}

/** Path of a file of the `@vladmandic/face-api` package, e.g. `model/ssd_mobilenetv1_model.bin`. */
export function faceApiFile(relative: string): string {
  return join(faceApiDirectory(), relative);
}
