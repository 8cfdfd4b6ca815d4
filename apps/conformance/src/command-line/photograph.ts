import { readdirSync } from 'node:fs';
import { faceApiFile } from '../network/face-api-files.js';
import { UsageError } from './usage-error.js';

const PHOTOGRAPH = /\.(jpe?g|png)$/i;

/**
 * Checks `--image` before any case runs: a photograph (`.jpg`, `.jpeg`,
 * `.png`) among the files of `@vladmandic/face-api`'s `demo/` folder, named
 * without a directory. Otherwise every network case failed at run time, each
 * blamed on the backend (`0 ✓ 29 ✗`, exit 1), and `../` reached files outside it.
 * Where the package itself cannot be found, nothing is checked here: the
 * network tier reports that.
 * @throws {UsageError} naming the photographs there are.
 */
export function assertPhotograph(image: string): void {
  let photographs: string[];
  try {
    photographs = readdirSync(faceApiFile('demo')).filter((name) => PHOTOGRAPH.test(name)).sort();
  } catch {
    return;
  }
  if (!photographs.includes(image)) throw new UsageError(`--image: expected a photograph of @vladmandic/face-api's demo/ folder (${photographs.join(', ')}), received "${image}"`);
}
