import type { Availability, Backend } from './backend.js';
import { assertKnownKeys } from './known-keys.js';
import { closestName } from './suggest.js';
import { formatBackendEntry, isBackendName, parseBackendEntry, parseBackendList, type BackendEntry, type ParsedBackendEntry } from './selection-syntax.js';
import { registerReferenceBackend } from './reference/register.js';
import { BackendUnavailableError, DisposedError, InvalidArgumentError, PointwiseError, UnknownBackendError, type BackendAttempt } from './errors.js';

/** Environment variable that names the backend (or a comma-separated preference list). */
export const BACKEND_ENV_VARIABLE = 'POINTWISE_BACKEND';

/**
 * Creates a backend with `options` (the registration's options, overridden by
 * those of the selection entry). Called at most once per configuration and
 * life (again after `dispose()`), on first use.
 */
export type BackendFactory = (options: Readonly<Record<string, unknown>>) => Backend | Promise<Backend>;

/** Options of {@link BackendRegistry.register}. */
export interface RegisterOptions {
  /**
   * Higher runs first in automatic selection. Negative: never chosen
   * automatically, only when asked for by name (ONNX Runtime's convention).
   * Default 0.
   */
  readonly priority?: number;
  /** The backend's options for this registration; a selection entry's own options override them key by key. */
  readonly options?: Readonly<Record<string, unknown>>;
  /**
   * Checks a configuration's merged options before anything runs, throwing
   * {@link InvalidArgumentError} for a bad one (so a typo in a preference
   * list is an error, not an unavailable backend).
   */
  readonly validate?: (options: Readonly<Record<string, unknown>>) => void;
  /** The option a bracketed value without a key sets: `'mode'` makes `gpujs[webgl2]` mean `{ mode: 'webgl2' }`. */
  readonly shorthand?: string;
  /**
   * Named sets of options a bracketed word selects: `{ pool: { minParallelFlops: 0, … } }` makes
   * `workers[pool]` (and `workers[js,pool]`) set them. Explicit `key=value` options win over a preset's.
   */
  readonly presets?: Readonly<Record<string, Readonly<Record<string, string | number | boolean>>>>;
  /** Replace a registration of the same name (disposing its backends) instead of rejecting one with other options. */
  readonly replace?: boolean;
}

const REGISTER_KEYS: readonly string[] = ['priority', 'options', 'validate', 'shorthand', 'presets', 'replace'];
const SELECTION_KEYS: readonly string[] = ['backend', 'strict', 'env'];

/** A registered backend as {@link BackendRegistry.list} reports it. */
export interface BackendListing {
  readonly name: string;
  readonly priority: number;
  /** From the backend's `probe()` (or its failed `init()`, which is remembered). */
  readonly available: boolean;
  /** Why it is not available; absent when it is. */
  readonly reason?: string;
  /** `init()` has completed successfully. */
  readonly initialized: boolean;
}

/**
 * Which backend(s) to use: one name, or an ordered preference list tried in
 * turn. `strict` throws when the first choice cannot be used instead of
 * falling back. `env` is read for `POINTWISE_BACKEND` when `backend` is not
 * given (default: `process.env` where it exists).
 */
export interface BackendSelection {
  /**
   * One entry or an ordered preference list; entries are names, names with
   * bracketed options (`'gpujs[webgl2]'`, `'workers[threads=4]'`) or objects
   * `{ name, ...options }` (see {@link BackendEntry}).
   */
  readonly backend?: BackendEntry | readonly BackendEntry[];
  readonly strict?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Checks a selection object: known keys, `backend` an entry or a non-empty
 * list of entries, `strict` a boolean, `env` an object.
 * @throws {InvalidArgumentError} naming the first bad key or value.
 */
export function assertBackendSelection(selection: unknown, known: readonly string[] = SELECTION_KEYS, parameter = 'options'): void {
  if (selection === undefined) return;
  if (typeof selection !== 'object' || selection === null || Array.isArray(selection)) {
    throw new InvalidArgumentError(parameter, 'an options object', selection);
  }
  assertKnownKeys(parameter, selection, known);
  const s = selection as Record<string, unknown>;
  if (s.backend !== undefined) {
    const list = Array.isArray(s.backend) ? s.backend : [s.backend];
    if (list.length === 0) throw new InvalidArgumentError(`${parameter}.backend`, 'at least one backend', s.backend);
    // Every index, holes too (forEach skips them, and a sparse list then failed later with a TypeError).
    for (let i = 0; i < list.length; i++) parseBackendEntry(list[i], Array.isArray(s.backend) ? `${parameter}.backend[${i}]` : `${parameter}.backend`);
  }
  if (s.strict !== undefined && typeof s.strict !== 'boolean') throw new InvalidArgumentError(`${parameter}.strict`, 'a boolean', s.strict);
  if (s.env !== undefined && (typeof s.env !== 'object' || s.env === null)) throw new InvalidArgumentError(`${parameter}.env`, 'an object of environment variables', s.env);
}

/** One entry resolved by {@link BackendRegistry.resolve}. */
export interface ResolvedConfiguration {
  /** Registry name. */
  readonly name: string;
  /** The entry's own options (the registration's defaults apply under them). */
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /** Canonical string, as `candidates` returns and `op.info.configuration` reports: `workers[kernel=js,threads=2]`. */
  readonly configuration: string;
  /** Short form for display, read back to the same configuration: `workers[js,pool]`, `gpujs[webasm]`. */
  readonly shortName: string;
}

/** The outcome of a selection: the initialised backend, and each earlier choice that failed with its reason. */
export interface SelectedBackend {
  readonly backend: Backend;
  /** The configuration that was selected, in canonical string form (`workers[kernel=js]`). */
  readonly configuration?: string;
  readonly attempts: readonly BackendAttempt[];
  /**
   * Races `work` (e.g. the backend's `prepare`) against a `dispose()` of the
   * registry: rejects with {@link DisposedError} as soon as the registry is
   * disposed, so nothing stays pending. Absent on selections made by an older copy of core.
   */
  readonly untilDisposed?: <T>(work: Promise<T>) => Promise<T>;
}

/**
 * One life of a registration, from first use to `dispose()`. `dispose()`
 * replaces it with a fresh one, so an `init()` still running from before the
 * dispose settles into the old life and cannot mark the new one failed.
 */
interface Life {
  instance?: Promise<Backend>;
  ready?: Promise<Backend>;
  initialized: boolean;
  failure?: string;
  /** Set once the life has ended. */
  endedWith?: Error;
  /** The rejecters of work racing this life; each removes itself when its work settles, so nothing is retained. */
  readonly racers: Set<(error: Error) => void>;
}

function newLife(): Life {
  return { initialized: false, racers: new Set() };
}

function endLife(life: Life, error: Error): void {
  life.endedWith = error;
  for (const reject of life.racers) reject(error);
  life.racers.clear();
}

/** `work`, or a rejection as soon as `life` ends; a late result of `work` is released with `release`. */
function raceLife<T>(life: Life, work: Promise<T>, release?: (value: T) => void): Promise<T> {
  if (life.endedWith) {
    work.then((value) => release?.(value), () => {});
    return Promise.reject(life.endedWith);
  }
  return new Promise<T>((resolve, reject) => {
    let lost = false;
    const lose = (error: Error) => {
      lost = true;
      reject(error);
    };
    life.racers.add(lose);
    work.then(
      (value) => {
        life.racers.delete(lose);
        if (lost) release?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        life.racers.delete(lose);
        reject(error);
      },
    );
  });
}

interface Entry {
  readonly name: string;
  readonly priority: number;
  readonly factory: BackendFactory;
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly validate?: (options: Readonly<Record<string, unknown>>) => void;
  readonly shorthand?: string;
  readonly presets: Readonly<Record<string, Readonly<Record<string, string | number | boolean>>>>;
  /** One life per configuration (canonical entry string: `workers`, `workers[kernel=js]`). */
  readonly lives: Map<string, { life: Life; options: Readonly<Record<string, unknown>> }>;
}

function sameOptions(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && String(a[k]) === String(b[k]));
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Disposes something that arrived after its life ended (a late backend or operator). */
function disposeLate(value: unknown): void {
  const disposable = value as { dispose?: () => unknown } | null;
  try {
    void Promise.resolve(disposable?.dispose?.()).catch(() => {});
  } catch {
    // Disposal of a late arrival is best effort.
  }
}

function processEnv(): Readonly<Record<string, string | undefined>> {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env ?? {};
}

/**
 * Named backends with priorities, and run-time selection among them (the
 * model of TensorFlow.js's `registerBackend(name, factory, priority)` and
 * ONNX Runtime's ordered `executionProviders` with fallback).
 *
 * Each backend is created and initialised at most once; a failed `init()` is
 * remembered with its reason and reported, never retried silently.
 */
export class BackendRegistry {
  readonly #entries = new Map<string, Entry>();

  /**
   * Registers a backend factory under `name`. A second registration of the
   * same name with the same options returns `false` and keeps the first (a
   * second copy of a package that registers itself does no harm); one with
   * other options is an error unless `replace` is set, which disposes the
   * old registration's backends and takes the new one.
   * @throws {InvalidArgumentError} for an empty name, a bad option, a
   *   non-finite priority, or a taken name with other options and no `replace`.
   */
  register(name: string, factory: BackendFactory, options: RegisterOptions = {}): boolean {
    // A name the selection syntax cannot spell could never be selected from a string, POINTWISE_BACKEND or a CLI.
    if (!isBackendName(name)) throw new InvalidArgumentError('name', 'a non-empty name of letters, digits and _ . @ / -', name);
    if (typeof factory !== 'function') throw new InvalidArgumentError('factory', 'a function returning a Backend', factory);
    if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidArgumentError('options', 'an options object', options);
    assertKnownKeys('options', options, REGISTER_KEYS);
    const priority = options.priority ?? 0;
    if (typeof priority !== 'number' || !Number.isFinite(priority)) throw new InvalidArgumentError('priority', 'a finite number', priority);
    if (options.replace !== undefined && typeof options.replace !== 'boolean') throw new InvalidArgumentError('options.replace', 'a boolean', options.replace);
    const isRecord = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
    if (options.options !== undefined && !isRecord(options.options)) throw new InvalidArgumentError('options.options', 'an object of backend options', options.options);
    if (options.validate !== undefined && typeof options.validate !== 'function') throw new InvalidArgumentError('options.validate', 'a function', options.validate);
    if (options.shorthand !== undefined && !(typeof options.shorthand === 'string' && /^[A-Za-z][A-Za-z0-9]*$/.test(options.shorthand))) {
      throw new InvalidArgumentError('options.shorthand', 'an option name', options.shorthand);
    }
    const presets: Record<string, Readonly<Record<string, string | number | boolean>>> = {};
    if (options.presets !== undefined) {
      if (!isRecord(options.presets)) throw new InvalidArgumentError('options.presets', 'an object of named option sets', options.presets);
      for (const [word, preset] of Object.entries(options.presets)) {
        // A preset is selected by a bracketed word, so its name must be one.
        if (!/^[A-Za-z0-9_.-]+$/.test(word)) throw new InvalidArgumentError('options.presets', 'preset names of letters, digits and _ . -', word);
        if (!isRecord(preset)) throw new InvalidArgumentError(`options.presets.${word}`, 'an object of options', preset);
        const values = Object.entries(preset);
        const bad = values.find(([, v]) => !['string', 'number', 'boolean'].includes(typeof v));
        if (bad) throw new InvalidArgumentError(`options.presets.${word}.${bad[0]}`, 'a string, number or boolean', bad[1]);
        Object.defineProperty(presets, word, { value: Object.freeze(Object.fromEntries(values)), enumerable: true });
      }
    }
    const defaults = Object.freeze({ ...(options.options ?? {}) });
    options.validate?.(defaults);
    const existing = this.#entries.get(name);
    if (existing && !options.replace) {
      if (sameOptions(existing.defaults, defaults)) return false;
      throw new InvalidArgumentError(
        'name',
        `a name not registered yet ("${name}" is registered with other options; pass { replace: true } to replace it)`,
        name,
      );
    }
    if (existing) void this.unregister(name);
    this.#entries.set(name, { name, priority, factory, defaults, validate: options.validate, shorthand: options.shorthand, presets, lives: new Map() });
    return true;
  }

  /** Removes a registration, disposing its backend if it was created. Returns whether it existed. */
  async unregister(name: string): Promise<boolean> {
    const entry = this.#entries.get(name);
    if (!entry) return false;
    this.#entries.delete(name);
    await this.#endLives(entry, `backend "${name}" was unregistered`);
    return true;
  }

  /** Registered names, highest priority first (ties: registration order). */
  names(): string[] {
    return [...this.#entries.values()].sort((a, b) => b.priority - a.priority).map((e) => e.name);
  }

  /** Every registered backend with its availability (probed, not initialised) and the reason when unavailable. */
  async list(): Promise<BackendListing[]> {
    const out: BackendListing[] = [];
    for (const name of this.names()) {
      const entry = this.#entries.get(name)!;
      const availability = await this.#probe(entry, name);
      out.push({
        name,
        priority: entry.priority,
        available: availability.available,
        ...(availability.available ? {} : { reason: availability.reason }),
        initialized: this.#life(entry, name).life.initialized,
      });
    }
    return out;
  }

  /**
   * The initialised backend of one entry (`'workers'`, `'workers[threads=4]'`), without fallback.
   * @throws {UnknownBackendError} when `name` is not registered.
   * @throws {BackendUnavailableError} when it cannot run here or its `init()` failed.
   */
  async get(name: BackendEntry): Promise<Backend> {
    return (await this.select({ backend: name, strict: true })).backend;
  }

  /**
   * Picks and initialises a backend: the names in `selection.backend`, else
   * those in `POINTWISE_BACKEND`, else every backend of priority ≥ 0 by
   * priority; the first that is available and initialises wins.
   * @throws {UnknownBackendError} when a requested name is not registered (checked before anything runs).
   * @throws {BackendUnavailableError} when none can be used (with every attempt's reason), or, with
   *   `strict`, when the first choice cannot.
   */
  async select(selection: BackendSelection = {}): Promise<SelectedBackend> {
    const candidates = this.candidates(selection);
    const attempts: BackendAttempt[] = [];
    for (const name of candidates) {
      const entry = this.#entries.get(parseBackendEntry(name).name);
      if (entry === undefined) {
        // Unregistered while an earlier candidate was initialising: a reason, like any other.
        attempts.push({ backend: name, reason: 'unregistered during selection' });
        if (selection.strict) throw new BackendUnavailableError(attempts, true);
        continue;
      }
      const life = this.#life(entry, name).life;
      try {
        const backend = await this.#ready(entry, name);
        return { backend, configuration: name, attempts, untilDisposed: <T>(work: Promise<T>) => raceLife(life, work, disposeLate) };
      } catch (error) {
        // A dispose() while this selection waited settles it; it is not a reason to try the next backend.
        if (PointwiseError.isInstance(error) && error.code === 'DISPOSED') throw error;
        attempts.push({ backend: name, reason: reasonOf(error) });
        if (selection.strict) throw new BackendUnavailableError(attempts, true);
      }
    }
    throw new BackendUnavailableError(attempts, selection.strict ?? false);
  }

  /**
   * Disposes every backend that was created; registrations stay and
   * initialise afresh on next use. Everything pending on this registry
   * (a selection waiting for `init()`, a `prepareConv1x1` waiting for a
   * backend's `prepare`) rejects with {@link DisposedError}; an `init()`
   * that completes after this call cannot affect the registry's later state,
   * and its backend is disposed when it settles.
   */
  async dispose(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((entry) => this.#endLives(entry, 'the registry was disposed')));
  }

  async #endLives(entry: Entry, why: string): Promise<void> {
    const lives = [...entry.lives.values()].map((l) => l.life);
    entry.lives.clear();
    await Promise.all(lives.map((life) => this.#endLife(entry, life, why)));
  }

  async #endLife(entry: Entry, life: Life, why: string): Promise<void> {
    endLife(life, new DisposedError(`backend "${entry.name}" (${why} while it was in use)`));
    if (!life.instance) return;
    const backend = await life.instance.catch(() => null);
    // An init() still running is left to settle, and the backend disposed again after it.
    life.ready?.then(disposeLate, () => {});
    await backend?.dispose();
  }

  /**
   * The configurations a selection would try, in order, in their canonical
   * string form (`cpu-tiled`, `workers[kernel=js,threads=4]`):
   * `selection.backend`, else `POINTWISE_BACKEND` (the same syntax,
   * comma-separated), else every backend of priority ≥ 0. Each entry's
   * options are checked by its registration before anything runs.
   * @throws {UnknownBackendError} for a name that is not registered.
   * @throws {InvalidArgumentError} for an empty list, a malformed entry, or options the backend rejects.
   */
  candidates(selection: BackendSelection = {}, parameter = 'backend'): string[] {
    assertBackendSelection(selection, [...SELECTION_KEYS, 'registry', 'onFallback'], 'selection');
    let requested: ReturnType<typeof parseBackendEntry>[] | undefined;
    let source = parameter;
    if (selection.backend !== undefined) {
      const list: readonly unknown[] = Array.isArray(selection.backend) ? selection.backend : [selection.backend];
      // Array.from, not map: a hole is read as undefined (and rejected) rather than kept as a hole.
      requested = Array.from(list, (entry, i) => parseBackendEntry(entry, Array.isArray(selection.backend) ? `${parameter}[${i}]` : parameter));
    } else {
      const fromEnv: unknown = (selection.env ?? processEnv())[BACKEND_ENV_VARIABLE];
      if (fromEnv !== undefined && typeof fromEnv !== 'string') throw new InvalidArgumentError(BACKEND_ENV_VARIABLE, 'a string', fromEnv);
      if (fromEnv !== undefined && fromEnv.trim() !== '') {
        source = BACKEND_ENV_VARIABLE;
        requested = parseBackendList(fromEnv, source);
      }
    }
    if (requested === undefined) return this.names().filter((n) => this.#entries.get(n)!.priority >= 0);
    const keys = new Set<string>();
    for (const parsed of requested) {
      const entry = this.#entries.get(parsed.name);
      if (!entry) throw new UnknownBackendError(parsed.name, this.names(), source);
      const options = this.#resolveWords(entry, parsed, source);
      try {
        entry.validate?.({ ...entry.defaults, ...options });
      } catch (error) {
        // From the environment, say where the bad option came from (in code the caller sees its own call).
        if (source !== BACKEND_ENV_VARIABLE || !PointwiseError.isInstance(error) || error.code !== 'INVALID_ARGUMENT') throw error;
        const { parameter, expected, received, suggestion } = error as InvalidArgumentError;
        throw new InvalidArgumentError(`${source}: ${formatBackendEntry(parsed)}: ${parameter}`, expected, received, suggestion);
      }
      const key = formatBackendEntry({ name: parsed.name, options });
      keys.add(key);
    }
    return [...keys];
  }

  /**
   * Resolves one entry to its configuration without creating anything: the
   * registry name, the entry's own options (words resolved through the
   * registration's presets and shorthand), the canonical string, and the
   * short form for display (`workers[js,pool]`: the shorthand value and the
   * presets whose options it contains as words, other options as key=value).
   * @throws {UnknownBackendError} / {InvalidArgumentError} as {@link candidates}, naming `parameter`.
   */
  resolve(entry: unknown, parameter = 'backend'): ResolvedConfiguration {
    const parsed = parseBackendEntry(entry, parameter);
    const registration = this.#entries.get(parsed.name);
    if (!registration) throw new UnknownBackendError(parsed.name, this.names(), parameter);
    const options = this.#resolveWords(registration, parsed, parameter);
    registration.validate?.({ ...registration.defaults, ...options });
    const rest: Record<string, string | number | boolean> = { ...options };
    const words: string[] = [];
    const shorthand = registration.shorthand;
    if (shorthand !== undefined && typeof rest[shorthand] === 'string' && /^[A-Za-z0-9_.-]+$/.test(rest[shorthand] as string)) {
      words.push(rest[shorthand] as string);
      delete rest[shorthand];
    }
    for (const [preset, presetOptions] of Object.entries(registration.presets)) {
      const keys = Object.keys(presetOptions);
      if (keys.length > 0 && keys.every((k) => Object.hasOwn(rest, k) && rest[k] === presetOptions[k])) {
        words.push(preset);
        for (const k of keys) delete rest[k];
      }
    }
    return Object.freeze({
      name: parsed.name,
      options: Object.freeze(options),
      configuration: formatBackendEntry({ name: parsed.name, options }),
      shortName: formatBackendEntry({ name: parsed.name, options: rest, words }),
    });
  }

  /** Options of an entry with its bracketed words resolved: presets first, then the shorthand, then key=value. */
  #resolveWords(entry: Entry, parsed: ParsedBackendEntry, source: string): Record<string, string | number | boolean> {
    const fromWords: Record<string, string | number | boolean> = {};
    let shorthandSet = false;
    for (const word of parsed.words ?? []) {
      const preset = Object.hasOwn(entry.presets, word) ? entry.presets[word] : undefined;
      if (preset !== undefined) {
        Object.assign(fromWords, preset);
        continue;
      }
      if (entry.shorthand === undefined || shorthandSet || Object.hasOwn(parsed.options, entry.shorthand)) {
        const presets = Object.keys(entry.presets);
        const allowed = [entry.shorthand && !shorthandSet ? `one value of "${entry.shorthand}"` : '', presets.length ? `the presets ${presets.join(', ')}` : ''].filter(Boolean);
        throw new InvalidArgumentError(source, `for "${parsed.name}[…]": key=value options${allowed.length ? ` or ${allowed.join(' and ')}` : ''}`, word, closestName(word, presets));
      }
      fromWords[entry.shorthand] = word;
      shorthandSet = true;
    }
    return { ...fromWords, ...parsed.options };
  }

  /** The life of one configuration (`key` in canonical form), created on first use. */
  #life(entry: Entry, key: string): { life: Life; options: Readonly<Record<string, unknown>> } {
    let found = entry.lives.get(key);
    if (!found) {
      const own = key === entry.name ? {} : parseBackendEntry(key).options;
      found = { life: newLife(), options: Object.freeze({ ...entry.defaults, ...own }) };
      entry.lives.set(key, found);
    }
    return found;
  }

  #instance(entry: Entry, slot: { life: Life; options: Readonly<Record<string, unknown>> }): Promise<Backend> {
    slot.life.instance ??= Promise.resolve().then(() => entry.factory(slot.options));
    return slot.life.instance;
  }

  async #probe(entry: Entry, key: string, slot = this.#life(entry, key)): Promise<Availability> {
    const life = slot.life;
    if (life.failure !== undefined) return { available: false, reason: life.failure };
    try {
      return await (await this.#instance(entry, slot)).probe();
    } catch (error) {
      return { available: false, reason: reasonOf(error) };
    }
  }

  #ready(entry: Entry, key: string): Promise<Backend> {
    const slot = this.#life(entry, key);
    const life = slot.life;
    life.ready ??= (async () => {
      const availability = await this.#probe(entry, key, slot);
      if (!availability.available) throw new Error(availability.reason);
      const backend = await this.#instance(entry, slot);
      await backend.init();
      life.initialized = true;
      return backend;
    })().catch((error: unknown) => {
      // Recorded on this life only: a later life (after dispose()) starts clean.
      life.failure = reasonOf(error);
      throw error;
    });
    return raceLife(life, life.ready);
  }
}

const DEFAULT_REGISTRY = Symbol.for('@pointwise/core.defaultRegistry.v1');

/**
 * The process-wide registry, shared by every copy of this package through a
 * `Symbol.for` key on `globalThis` (two copies must not make two registries).
 * It holds the `reference` backend (priority 0, the last resort); backend
 * packages export a `register…Backend(registry?)` function rather than
 * registering as a side effect of being imported.
 */
export function getDefaultRegistry(): BackendRegistry {
  const g = globalThis as unknown as Record<symbol, BackendRegistry | undefined>;
  if (!g[DEFAULT_REGISTRY]) {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    g[DEFAULT_REGISTRY] = registry;
  }
  return g[DEFAULT_REGISTRY]!;
}
