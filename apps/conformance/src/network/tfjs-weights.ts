import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { concatBytes, parseTfjsWeightGroup, type ManifestGroup, type NamedWeight } from './tfjs-weights-parse.js';

export type { NamedWeight } from './tfjs-weights-parse.js';

/**
 * Reads a TensorFlow.js weights manifest (`*-weights_manifest.json`, the
 * `tfjs-converter` format: groups of shard files whose bytes hold the listed
 * tensors back to back) and returns every float32 tensor, dequantised by
 * `parseTfjsWeightGroup` (the browser loader's parser too).
 *
 * @param manifestPath path of the manifest JSON; shards are read from its directory.
 * @throws {Error} when a shard is shorter than the manifest says.
 */
export async function loadTfjsWeights(manifestPath: string): Promise<Map<string, NamedWeight>> {
  const groups = JSON.parse(await readFile(manifestPath, 'utf8')) as ManifestGroup[];
  const weights = new Map<string, NamedWeight>();
  for (const group of groups) {
    const shards = await Promise.all(group.paths.map((p) => readFile(join(dirname(manifestPath), p))));
    parseTfjsWeightGroup(group, concatBytes(shards), manifestPath, weights);
  }
  return weights;
}
