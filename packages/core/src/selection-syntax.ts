import { InvalidArgumentError, quotePrintable } from './errors.js';

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
/** An option key the string form can spell (`threads`, `workerUrl`); an object entry's keys are held to it too. */
const OPTION_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

/** @internal True for a name the selection syntax can spell (letters, digits, `_ . @ / -`). */
export function isBackendName(name: unknown): name is string {
  return typeof name === 'string' && NAME.test(name);
}

/**
 * Calls `visit` for each character outside double-quoted values (a quoted
 * value is a JSON string: `"a,b"`, `"say \\"hi\\""`), so commas, brackets and
 * `=` inside quotes are data, not syntax.
 * @throws {InvalidArgumentError} for a quote that is never closed.
 */
function scanUnquoted(text: string, parameter: string, visit: (c: string, i: number) => void): void {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') {
      quoted = true;
      continue;
    }
    visit(c, i);
  }
  if (quoted) throw new InvalidArgumentError(parameter, 'closed quotes in option values', text);
}

/**
 * Splits at commas outside quotes and brackets: `a[x=1,y=2],b` → `a[x=1,y=2]`, `b`.
 * A blank text gives no parts (the caller reports the empty list).
 * @throws {InvalidArgumentError} for unbalanced brackets, and for an empty
 * entry (`a,,b`, a leading or a trailing comma), naming the entry's number and
 * the 1-based character positions of its commas in `text`.
 */
function splitTopLevel(text: string, parameter: string): string[] {
  if (text.trim() === '') return [];
  const parts: { text: string; start: number }[] = [];
  let depth = 0;
  let start = 0;
  scanUnquoted(text, parameter, (c, i) => {
    if (c === '[') depth++;
    else if (c === ']') depth--;
    if (depth < 0 || depth > 1) throw new InvalidArgumentError(parameter, 'balanced, unnested brackets', text);
    if (c === ',' && depth === 0) {
      parts.push({ text: text.slice(start, i), start });
      start = i + 1;
    }
  });
  if (depth !== 0) throw new InvalidArgumentError(parameter, 'balanced, unnested brackets', text);
  parts.push({ text: text.slice(start), start });
  parts.forEach((part, k) => {
    if (part.text.trim() !== '') return;
    // 1-based character positions of the commas around the empty entry.
    const before = part.start;
    const after = k + 1 < parts.length ? parts[k + 1].start : -1;
    const where =
      k === 0 ? `a leading comma at character ${after}` : after < 0 ? `a trailing comma at character ${before}` : `commas at characters ${before} and ${after} with nothing between`;
    throw new InvalidArgumentError(parameter, `a backend name at entry ${k + 1} of ${parts.length}, found an empty entry (${where})`, text);
  });
  return parts.map((p) => p.text.trim());
}

// `\d+(\.\d*)?`, not `\d+\.?\d*`: the latter backtracks quadratically on a long run of digits
// followed by anything else (a 40,000-digit option took seconds).
const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

function optionValue(text: string, parameter: string, entry: string): string | number | boolean {
  if (text.startsWith('"')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (typeof value !== 'string') throw new InvalidArgumentError(parameter, 'a quoted option value to be one JSON string', entry);
    return value;
  }
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (NUMBER.test(text) || /^[-+]?Infinity$/.test(text) || text === 'NaN') return Number(text);
  return text;
}

/** C0 and C1 control characters and DEL: a terminal acts on them (`\u001b[2J` clears it) when a message prints them. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * An option value in the string form, written so that {@link parseBackendEntry}
 * reads back the same value: numbers (also `-0`, `Infinity`, `NaN`) and
 * booleans bare, a string bare unless it would read back as something else
 * (a number, a boolean, text with `, [ ] = "` or outer spaces) or holds a
 * control character, then quoted as JSON with every control character escaped
 * (`"\u001b[31m"`), so that a configuration printed in a message or a table is plain text.
 */
function formatValue(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'boolean') return String(value);
  const text = String(value);
  const bare =
    text !== '' && text === text.trim() && !/[,[\]="]/.test(text) && !CONTROL.test(text) && text !== 'true' && text !== 'false' && !NUMBER.test(text) && !/^[-+]?Infinity$/.test(text) && text !== 'NaN';
  return bare ? text : quotePrintable(text);
}

/** Sets an own, enumerable key (also `__proto__`, which plain assignment would treat as the prototype). */
function defineOption(options: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(options, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Parses one entry of a preference list in its string form `name` or
 * `name[value]` or `name[key=value,key=value]`; values `true`/`false` become
 * booleans, decimal numbers (and `Infinity`, `NaN`) numbers, and a value in
 * double quotes is a JSON string (`workers[workerUrl="data:text/javascript,…"]`),
 * so commas, brackets and `=` can be part of a value. Objects `{ name, ...options }` are
 * checked and returned as parsed entries too.
 * @throws {InvalidArgumentError} for an empty or malformed entry, or an object without a string `name` or
 *   with an option key the string form cannot spell (letters and digits, starting with a letter).
 */
export function parseBackendEntry(entry: unknown, parameter = 'backend'): ParsedBackendEntry {
  if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
    const { name, ...rest } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new InvalidArgumentError(`${parameter}.name`, 'a backend name (string)', name);
    }
    if (Object.getOwnPropertySymbols(rest).length > 0) {
      throw new InvalidArgumentError(parameter, 'option keys that are strings', Object.getOwnPropertySymbols(rest)[0].toString());
    }
    // Each value read once, into an object of its own: a getter or Proxy cannot change it later.
    const options: Record<string, string | number | boolean> = {};
    for (const [key, value] of Object.entries(rest)) {
      // The registry keys configurations by their string form and reads them back: a key it cannot spell
      // (`'a b'`, `''`, `'__proto__'`) failed later, at selection, naming a string the caller never wrote.
      if (!OPTION_KEY.test(key)) throw new InvalidArgumentError(parameter, 'option keys of letters and digits, starting with a letter', key);
      if (!['string', 'number', 'boolean'].includes(typeof value) && !(value instanceof URL)) {
        throw new InvalidArgumentError(`${parameter}.${key}`, 'a string, number or boolean option value', value);
      }
      defineOption(options, key, value);
    }
    return { name, options };
  }
  if (typeof entry !== 'string') {
    throw new InvalidArgumentError(parameter, 'a backend name, "name[options]" or { name, ...options }', entry);
  }
  const text = entry.trim();
  // The name ends at the first bracket; brackets inside quoted values are data.
  const open = text.indexOf('[');
  const rawName = open < 0 ? text : text.slice(0, open);
  const name = rawName.trim();
  let inner: string | undefined;
  if (open >= 0) {
    const body = text.slice(open + 1);
    let close = -1;
    scanUnquoted(body, parameter, (c, i) => {
      if ((c === '[' || c === ']') && close >= 0) close = -2;
      else if (c === '[') close = -2;
      else if (c === ']' && close === -1) close = i;
    });
    inner = close >= 0 && close === body.length - 1 ? body.slice(0, close) : undefined;
  }
  if (!NAME.test(name) || (open >= 0 && inner === undefined)) {
    throw new InvalidArgumentError(parameter, 'a backend name, optionally with [options] such as gpujs[webgl2] or workers[threads=4,kernel=js]', entry);
  }
  if (inner === undefined) return { name, options: {} };
  const options: Record<string, string | number | boolean> = {};
  const words: string[] = [];
  const items: string[] = [];
  let start = 0;
  scanUnquoted(inner, parameter, (c, i) => {
    if (c === ',') {
      items.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  });
  items.push(inner.slice(start).trim());
  for (const item of items) {
    if (item === '') throw new InvalidArgumentError(parameter, `non-empty options in ${name}[…]`, entry);
    let eq = -1;
    scanUnquoted(item, parameter, (c, i) => {
      if (c === '=' && eq < 0) eq = i;
    });
    if (eq < 0) {
      if (!/^[A-Za-z0-9_.-]+$/.test(item) || words.includes(item)) throw new InvalidArgumentError(parameter, `distinct words or key=value options in ${name}[…]`, entry);
      words.push(item);
      continue;
    }
    const key = item.slice(0, eq).trim();
    if (!OPTION_KEY.test(key) || Object.hasOwn(options, key)) {
      throw new InvalidArgumentError(parameter, `key=value options with distinct keys in ${name}[…]`, entry);
    }
    defineOption(options, key, optionValue(item.slice(eq + 1).trim(), parameter, entry));
  }
  return words.length === 0 ? { name, options } : { name, options, words };
}

/**
 * Parses a comma-separated preference list in the string form (as in
 * `POINTWISE_BACKEND` and the CLIs' `--backends`): `gpujs[webgl2],workers[threads=4],cpu-tiled`.
 * Commas inside brackets separate options, not entries; an empty entry
 * (`cpu-tiled,,workers`, a leading or a trailing comma) is malformed.
 * @throws {InvalidArgumentError} for an empty list, an empty entry (the message
 * names its entry number and the 1-based positions of its commas) or a malformed entry.
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
  const items = [...(entry.words ?? []), ...keys.map((k) => `${k}=${formatValue(entry.options[k])}`)];
  return items.length === 0 ? entry.name : `${entry.name}[${items.join(',')}]`;
}
