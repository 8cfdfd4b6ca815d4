import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, assertKnownKeys } from '@pointwise/core';
import { makeLayer, outputSize, type BenchLayer, type LayerActivation, type LayerSpec } from './layer.js';

/**
 * The grammar of `--shape`, documented in the README and `--help`:
 *
 * ```
 * shape      := Ci "x" H "x" W ":" Co { ":" option }
 * option     := "s" stride | "g" groups | "n" batch | "relu" | "relu6"
 * ```
 *
 * e.g. `512x56x56:1024` (the seed layer), `256x56x56:512:s2` (stride 2),
 * `64x28x28:64:g4:relu`. Sizes are integers ≥ 1; `groups` must divide `Ci`
 * and `Co`; each option at most once (`relu` and `relu6` are both the
 * activation); no tensor larger than {@link MAX_TENSOR_ELEMENTS}. Several
 * shapes may be given comma-separated.
 */
export const SHAPE_GRAMMAR =
  'Ci x H x W : Co [:s<stride>] [:g<groups>] [:n<batch>] [:relu|:relu6], e.g. 512x56x56:1024 or 256x56x56:512:s2';

const SIZES = /^(\d+)x(\d+)x(\d+):(\d+)$/;

function positive(parameter: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(parameter, 'an integer ≥ 1', text);
  }
  return value;
}

/**
 * Most float32 elements one tensor of a custom layer may hold: 2^29, i.e.
 * 2 GiB (2^31 bytes) per tensor — input, weights or output. Larger layers
 * would exceed what typed arrays and WebAssembly memories here can hold.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 29;

/**
 * Checks what the grammar alone cannot: `groups` divides `Ci` and `Co`, and
 * every tensor fits {@link MAX_TENSOR_ELEMENTS}. Also for layers made from
 * other options (the `--chain` stack at `--chain-size`).
 * @throws {InvalidArgumentError} naming the offending parameter.
 */
export function checkSpec(spec: LayerSpec): void {
  const groups = spec.groups ?? 1;
  if (spec.inChannels % groups !== 0 || spec.outChannels % groups !== 0) {
    throw new InvalidArgumentError('groups', `a divisor of Ci = ${spec.inChannels} and Co = ${spec.outChannels}`, groups);
  }
  const batch = spec.batch ?? 1;
  const [ho, wo] = outputSize({ height: spec.height, width: spec.width, stride: spec.stride ?? 1 });
  const tensors: [string, number][] = [
    ['input N·Ci·H·W', batch * spec.inChannels * spec.height * spec.width],
    ['weights Co·Ci/groups', spec.outChannels * (spec.inChannels / groups)],
    ['output N·Co·Ho·Wo', batch * spec.outChannels * ho * wo],
  ];
  for (const [what, elements] of tensors) {
    if (elements > MAX_TENSOR_ELEMENTS) {
      throw new InvalidArgumentError(`layer ${what}`, `at most ${MAX_TENSOR_ELEMENTS} float32 elements (2 GiB per tensor)`, elements);
    }
  }
}

/** The option keys of the grammar: `relu` and `relu6` both set the activation. */
function optionKey(option: string): 'activation' | 'stride' | 'groups' | 'batch' | undefined {
  if (option === 'relu' || option === 'relu6') return 'activation';
  return ({ s: 'stride', g: 'groups', n: 'batch' } as const)[option[0] as 's' | 'g' | 'n'];
}

/**
 * Parses one shape of {@link SHAPE_GRAMMAR} into a layer spec.
 * @throws {InvalidArgumentError} naming the part that does not parse.
 */
export function parseShape(text: string): LayerSpec {
  const [head, ...options] = text.trim().split(':');
  const sizes = SIZES.exec(`${head}:${options.shift() ?? ''}`);
  if (!sizes) throw new InvalidArgumentError('--shape', SHAPE_GRAMMAR, text);
  let spec: LayerSpec = {
    inChannels: positive('Ci', sizes[1]),
    height: positive('H', sizes[2]),
    width: positive('W', sizes[3]),
    outChannels: positive('Co', sizes[4]),
  };
  const seen = new Map<string, string>();
  for (const option of options) {
    const key = optionKey(option);
    const earlier = key === undefined ? undefined : seen.get(key);
    if (key !== undefined && earlier !== undefined) {
      throw new InvalidArgumentError(`--shape ${key}`, `at most one ${key} option, got "${earlier}" and "${option}"`, text);
    }
    if (key !== undefined) seen.set(key, option);
    if (option === 'relu' || option === 'relu6') spec = { ...spec, activation: option };
    else if (option.startsWith('s')) spec = { ...spec, stride: positive('stride', option.slice(1)) };
    else if (option.startsWith('g')) spec = { ...spec, groups: positive('groups', option.slice(1)) };
    else if (option.startsWith('n')) spec = { ...spec, batch: positive('batch', option.slice(1)) };
    else throw new InvalidArgumentError(`--shape option "${option}"`, 's<stride>, g<groups>, n<batch>, relu or relu6', text);
  }
  checkSpec(spec);
  return spec;
}

/** Parses a comma-separated list of shapes into layers. */
export function parseShapeList(text: string): BenchLayer[] {
  return text
    .split(',')
    .filter((part) => part.trim() !== '')
    .map((part) => makeLayer(parseShape(part)));
}

const ACTIVATIONS: readonly LayerActivation[] = ['none', 'relu', 'relu6'];
/** The keys of a shape-file object; any other is a likely misspelling (`strides`), rejected rather than left at its default. */
const SPEC_KEYS: readonly string[] = ['name', 'ci', 'h', 'w', 'co', 'stride', 'groups', 'batch', 'activation'];

function specFromObject(entry: Record<string, unknown>, where: string): LayerSpec {
  assertKnownKeys(where, entry, SPEC_KEYS);
  const size = (key: string, required: boolean): number | undefined => {
    const value = entry[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new InvalidArgumentError(`${where}.${key}`, 'an integer ≥ 1', value);
    }
    return value;
  };
  const activation = entry.activation;
  if (activation !== undefined && !ACTIVATIONS.includes(activation as LayerActivation)) {
    throw new InvalidArgumentError(`${where}.activation`, '"none", "relu" or "relu6"', activation);
  }
  // Names reach the terminal and Markdown tables as written: no control characters (a terminal acts on them).
  // eslint-disable-next-line no-control-regex
  if (entry.name !== undefined && (typeof entry.name !== 'string' || /[\u0000-\u001f\u007f-\u009f]/.test(entry.name))) {
    throw new InvalidArgumentError(`${where}.name`, 'a string without control characters', entry.name);
  }
  const spec: LayerSpec = {
    inChannels: size('ci', true)!,
    height: size('h', true)!,
    width: size('w', true)!,
    outChannels: size('co', true)!,
    ...(entry.name !== undefined ? { name: entry.name as string } : {}),
    ...(entry.stride !== undefined ? { stride: size('stride', false) } : {}),
    ...(entry.groups !== undefined ? { groups: size('groups', false) } : {}),
    ...(entry.batch !== undefined ? { batch: size('batch', false) } : {}),
    ...(activation !== undefined ? { activation: activation as LayerActivation } : {}),
  };
  checkSpec(spec);
  return spec;
}

/**
 * Layers from parsed JSON: an array (or `{ "layers": [...] }`) whose entries
 * are shape strings of {@link SHAPE_GRAMMAR} or objects
 * `{ name?, ci, h, w, co, stride?, groups?, batch?, activation? }`.
 * @throws {InvalidArgumentError} naming the entry that is malformed or has a key not among these.
 */
export function layersFromJson(json: unknown): BenchLayer[] {
  const list = Array.isArray(json) ? json : (json as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidArgumentError('shape file', 'a non-empty array of shapes, or { "layers": [...] }', json);
  }
  return list.map((entry, i) => {
    if (typeof entry === 'string') return makeLayer(parseShape(entry));
    if (typeof entry === 'object' && entry !== null) return makeLayer(specFromObject(entry as Record<string, unknown>, `layers[${i}]`));
    throw new InvalidArgumentError(`layers[${i}]`, 'a shape string or an object { ci, h, w, co, ... }', entry);
  });
}

/**
 * Reads a JSON shape file (see {@link layersFromJson}).
 * @throws {InvalidArgumentError} when the file cannot be read, is not JSON, or
 *   holds a malformed layer (a command-line mistake, not a failed run).
 */
export async function readShapeFile(path: string): Promise<BenchLayer[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError('--shape-file', `a readable file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, path);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError('--shape-file', `JSON (${(error as Error).message})`, path);
  }
  return layersFromJson(json);
}
