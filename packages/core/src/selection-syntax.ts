import { InvalidArgumentError } from './errors.js';

/**
 * Option types of the known backends, by registry name. Backend packages add
 * their entry by declaration merging, so that `backend: 'cpu-tild'` or
 * `{ name: 'workers', therads: 4 }` is a type error while names registered by
 * other packages stay possible (they augment this interface too):
 *
 * ```ts
 * declare module '@pointwise/core' {
 *   interface BackendOptionsByName { 'my-backend': MyBackendOptions }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface BackendOptionsByName {
  /** The float64 reference backend has no options. */
  reference: Record<never, never>;
}

/** A registry name known to the type system (see {@link BackendOptionsByName}). */
export type KnownBackendName = Extract<keyof BackendOptionsByName, string>;

/** A backend entry as an object: its name and its options (ONNX Runtime's `{ name, ...options }` execution providers). */
export type BackendEntryObject = {
  [N in KnownBackendName]: { readonly name: N } & Readonly<BackendOptionsByName[N]>;
}[KnownBackendName];

/**
 * One entry of a preference list: a name (`'cpu-tiled'`), a name with
 * options in brackets (`'gpujs[webgl2]'`, `'workers[threads=4,kernel=js]'`),
 * or an object (`{ name: 'workers', threads: 4, kernel: 'js' }`).
 */
export type BackendEntry = KnownBackendName | `${KnownBackendName}[${string}]` | BackendEntryObject;

/**
 * A parsed entry: the registry name, its `key=value` options, and the
 * bracketed words without a key (`gpujs[webgl2]`, `workers[js,pool]`), which
 * the backend's registration resolves: a word it declares as a preset sets
 * that preset's options, any other sets its shorthand option (gpujs: `mode`;
 * cpu-tiled and workers: `kernel`).
 */
export interface ParsedBackendEntry {
  readonly name: string;
  readonly options: Readonly<Record<string, string | number | boolean>>;
  readonly words?: readonly string[];
}

const NAME = /^[A-Za-z0-9_.@/-]+$/;

/** Splits at commas outside brackets: `a[x=1,y=2],b` → `a[x=1,y=2]`, `b`. */
function splitTopLevel(text: string, parameter: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    if (depth < 0 || depth > 1) throw new InvalidArgumentError(parameter, 'balanced, unnested brackets', text);
    if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new InvalidArgumentError(parameter, 'balanced, unnested brackets', text);
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function optionValue(text: string): string | number | boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text);
  return text;
}

/**
 * Parses one entry of a preference list in its string form `name` or
 * `name[value]` or `name[key=value,key=value]`; values `true`/`false` become
 * booleans and decimal numbers numbers. Objects `{ name, ...options }` are
 * checked and returned as parsed entries too.
 * @throws {InvalidArgumentError} for an empty or malformed entry, or an object without a string `name`.
 */
export function parseBackendEntry(entry: unknown, parameter = 'backend'): ParsedBackendEntry {
  if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
    const { name, ...options } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new InvalidArgumentError(`${parameter}.name`, 'a backend name (string)', name);
    }
    for (const [key, value] of Object.entries(options)) {
      if (!['string', 'number', 'boolean'].includes(typeof value) && !(value instanceof URL)) {
        throw new InvalidArgumentError(`${parameter}.${key}`, 'a string, number or boolean option value', value);
      }
    }
    return { name, options: options as Record<string, string | number | boolean> };
  }
  if (typeof entry !== 'string') {
    throw new InvalidArgumentError(parameter, 'a backend name, "name[options]" or { name, ...options }', entry);
  }
  const text = entry.trim();
  const match = /^([^[\]]+)(?:\[([^[\]]*)\])?$/.exec(text);
  if (match === null || !NAME.test(match[1].trim())) {
    throw new InvalidArgumentError(parameter, 'a backend name, optionally with [options] such as gpujs[webgl2] or workers[threads=4,kernel=js]', entry);
  }
  const name = match[1].trim();
  if (match[2] === undefined) return { name, options: {} };
  const options: Record<string, string | number | boolean> = {};
  const words: string[] = [];
  for (const item of match[2].split(',').map((s) => s.trim())) {
    if (item === '') throw new InvalidArgumentError(parameter, `non-empty options in ${name}[…]`, entry);
    const eq = item.indexOf('=');
    if (eq < 0) {
      if (!/^[A-Za-z0-9_.-]+$/.test(item) || words.includes(item)) throw new InvalidArgumentError(parameter, `distinct words or key=value options in ${name}[…]`, entry);
      words.push(item);
      continue;
    }
    const key = item.slice(0, eq).trim();
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key) || key in options) {
      throw new InvalidArgumentError(parameter, `key=value options with distinct keys in ${name}[…]`, entry);
    }
    options[key] = optionValue(item.slice(eq + 1).trim());
  }
  return words.length === 0 ? { name, options } : { name, options, words };
}

/**
 * Parses a comma-separated preference list in the string form (as in
 * `POINTWISE_BACKEND` and the CLIs' `--backends`): `gpujs[webgl2],workers[threads=4],cpu-tiled`.
 * Commas inside brackets separate options, not entries.
 * @throws {InvalidArgumentError} for an empty list or a malformed entry.
 */
export function parseBackendList(text: string, parameter = 'backend'): ParsedBackendEntry[] {
  if (typeof text !== 'string') throw new InvalidArgumentError(parameter, 'a comma-separated list of backends', text);
  const entries = splitTopLevel(text, parameter).map((part) => parseBackendEntry(part, parameter));
  if (entries.length === 0) throw new InvalidArgumentError(parameter, 'at least one backend', text);
  return entries;
}

/**
 * The string form of an entry: `name`, or `name[word,…,key=value,…]` with the
 * words first in their order and the keys sorted; {@link parseBackendEntry}
 * reads it back to the same entry. With no words it is the canonical form
 * the registry uses for a configuration.
 */
export function formatBackendEntry(entry: {
  readonly name: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly words?: readonly string[];
}): string {
  const keys = Object.keys(entry.options).sort();
  const items = [...(entry.words ?? []), ...keys.map((k) => `${k}=${String(entry.options[k])}`)];
  return items.length === 0 ? entry.name : `${entry.name}[${items.join(',')}]`;
}
