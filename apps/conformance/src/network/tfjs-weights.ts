import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** One tensor of a TensorFlow.js weights manifest, dequantised to float32. */
export interface NamedWeight {
  readonly name: string;
  /** The manifest's shape (TensorFlow's order: conv filters are `[kh, kw, Ci, Co]`). */
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

interface ManifestEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: 'float32' | 'int32';
  readonly quantization?: { readonly scale: number; readonly min: number; readonly dtype: 'uint8' | 'uint16' };
}

interface ManifestGroup {
  readonly paths: string[];
  readonly weights: ManifestEntry[];
}

const QUANTIZED_BYTES = { uint8: 1, uint16: 2 } as const;

/**
 * Reads a TensorFlow.js weights manifest (`*-weights_manifest.json`, the
 * `tfjs-converter` format: groups of shard files whose bytes hold the listed
 * tensors back to back) and returns every float32 tensor. Quantised entries
 * are dequantised as `q·scale + min` (TF.js's affine `uint8`/`uint16`
 * weight quantisation); unquantised float32 entries are read as
 * little-endian float32. Integer tensors are skipped.
 *
 * @param manifestPath path of the manifest JSON; shards are read from its directory.
 * @throws {Error} when a shard is shorter than the manifest says.
 */
export async function loadTfjsWeights(manifestPath: string): Promise<Map<string, NamedWeight>> {
  const groups = JSON.parse(await readFile(manifestPath, 'utf8')) as ManifestGroup[];
  const weights = new Map<string, NamedWeight>();
  for (const group of groups) {
    const shards = await Promise.all(group.paths.map((p) => readFile(join(dirname(manifestPath), p))));
    const bytes = Buffer.concat(shards);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    for (const entry of group.weights) {
      const size = entry.shape.reduce((a, b) => a * b, 1);
      const q = entry.quantization;
      const byteLength = size * (q ? QUANTIZED_BYTES[q.dtype] : 4);
      if (offset + byteLength > bytes.byteLength) {
        throw new Error(`${manifestPath}: ${entry.name} needs bytes ${offset}..${offset + byteLength}, the shards hold ${bytes.byteLength}`);
      }
      if (entry.dtype === 'float32') {
        const data = new Float32Array(size);
        for (let i = 0; i < size; i++) {
          if (q === undefined) data[i] = view.getFloat32(offset + 4 * i, true);
          else data[i] = (q.dtype === 'uint8' ? view.getUint8(offset + i) : view.getUint16(offset + 2 * i, true)) * q.scale + q.min;
        }
        weights.set(entry.name, { name: entry.name, shape: entry.shape, data });
      }
      offset += byteLength;
    }
  }
  return weights;
}
