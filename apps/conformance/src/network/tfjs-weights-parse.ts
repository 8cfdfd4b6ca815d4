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

/** One group of a TensorFlow.js weights manifest: shard files whose bytes hold the listed tensors back to back. */
export interface ManifestGroup {
  readonly paths: string[];
  readonly weights: ManifestEntry[];
}

const QUANTIZED_BYTES = { uint8: 1, uint16: 2 } as const;

/**
 * The float32 tensors of one manifest group from its shards' bytes, concatenated in `paths` order
 * (environment-neutral: the Node loader reads the shards from files, the browser loader fetches
 * them). Quantised entries are dequantised as `q·scale + min` (TF.js's affine `uint8`/`uint16`
 * weight quantisation); unquantised float32 entries are read as little-endian float32. Integer
 * tensors are skipped.
 *
 * @param where the manifest's name, for error messages.
 * @throws {Error} when the shards are shorter than the manifest says.
 */
export function parseTfjsWeightGroup(group: ManifestGroup, bytes: Uint8Array, where: string, into: Map<string, NamedWeight> = new Map()): Map<string, NamedWeight> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  for (const entry of group.weights) {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    const q = entry.quantization;
    const byteLength = size * (q ? QUANTIZED_BYTES[q.dtype] : 4);
    if (offset + byteLength > bytes.byteLength) {
      throw new Error(`${where}: ${entry.name} needs bytes ${offset}..${offset + byteLength}, the shards hold ${bytes.byteLength}`);
    }
    if (entry.dtype === 'float32') {
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) {
        if (q === undefined) data[i] = view.getFloat32(offset + 4 * i, true);
        else data[i] = (q.dtype === 'uint8' ? view.getUint8(offset + i) : view.getUint16(offset + 2 * i, true)) * q.scale + q.min;
      }
      into.set(entry.name, { name: entry.name, shape: entry.shape, data });
    }
    offset += byteLength;
  }
  return into;
}

/** Concatenates shard bytes in order. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
