import { InvalidArgumentError, InvalidTensorError } from '@pointwise/core';
import { SPECIAL_VALUES, SplitMix32 } from '@pointwise/testing';
import { ssdLayerLoader } from '../network/layer-loader.js';
import type { PointwiseLayer } from '../network/ssd-mobilenet-v1.js';
import type { DataSource } from './case.js';
import { fromJsonNumber } from './json-number.js';

/** Which tensor of a case a {@link DataSource} fills. */
export type DataRole = 'input' | 'weights' | 'bias' | 'output';

function fill(length: number, at: (i: number) => number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = at(i);
  return out;
}

async function networkTensor(source: Extract<DataSource, { generator: 'ssd-mobilenet-v1' }>, role: DataRole): Promise<Float32Array> {
  // Loaded only when a case asks for network data (the network tier, a case file): the Node loader
  // reads the model and photo files and runs TensorFlow.js; a page sets its own (setSsdLayerLoader).
  const load = ssdLayerLoader() ?? (await import('../network/ssd-mobilenet-v1.js')).loadSsdMobilenetV1PointwiseLayers;
  const layers = await load({ image: source.image, inputSize: source.inputSize });
  const layer: PointwiseLayer | undefined = layers.find((l) => l.name === source.layer);
  if (layer === undefined) {
    throw new InvalidArgumentError('ssd-mobilenet-v1.layer', `one of ${layers.map((l) => l.name).join(', ')}`, source.layer);
  }
  switch (role) {
    case 'input':
      return layer.input.data;
    case 'weights':
      return layer.weights;
    case 'bias':
      return layer.bias;
    case 'output':
      return layer.tfjsOutput.data;
  }
}

/**
 * The `length` float32 values a data source describes (see {@link DataSource}).
 * Deterministic: the same source gives the same values everywhere.
 *
 * @param role which tensor is being filled (the real-network generator needs it).
 * @param where the JSON path, for error messages.
 * @throws {InvalidArgumentError} for an unknown generator or bad parameters.
 * @throws {InvalidTensorError} when inline or generated values do not number `length`.
 */
export async function generateData(source: DataSource, length: number, role: DataRole, where: string): Promise<Float32Array> {
  let data: Float32Array;
  if ('values' in source) {
    if (!Array.isArray(source.values)) throw new InvalidArgumentError(`${where}.values`, 'an array of numbers', source.values);
    data = Float32Array.from(source.values, (v, i) => fromJsonNumber(v, `${where}.values[${i}]`));
  } else {
    switch (source.generator) {
      case 'uniform': {
        const prng = new SplitMix32(source.seed);
        const min = source.min ?? -1;
        const max = source.max ?? 1;
        data = fill(length, () => prng.uniform(min, max));
        break;
      }
      case 'integers': {
        const prng = new SplitMix32(source.seed);
        data = fill(length, () => prng.int(source.min, source.max));
        break;
      }
      case 'special': {
        const prng = new SplitMix32(source.seed);
        const fraction = source.fraction ?? 0.25;
        const scale = source.scale ?? 1;
        data = fill(length, () => (prng.next() < fraction ? SPECIAL_VALUES[prng.int(0, SPECIAL_VALUES.length - 1)] : prng.uniform(-scale, scale)));
        break;
      }
      case 'constant': {
        const value = fromJsonNumber(source.value, `${where}.value`);
        data = fill(length, () => value);
        break;
      }
      case 'ramp': {
        const start = source.start ?? 0;
        const step = source.step ?? 1;
        data = fill(length, (i) => start + i * step);
        break;
      }
      case 'ssd-mobilenet-v1':
        data = await networkTensor(source, role);
        break;
      default:
        throw new InvalidArgumentError(
          `${where}.generator`,
          'one of "uniform", "integers", "special", "constant", "ramp", "ssd-mobilenet-v1"',
          (source as { generator?: unknown }).generator,
        );
    }
  }
  if (data.length !== length) throw new InvalidTensorError(where, `${length} values`, data);
  return data;
}
