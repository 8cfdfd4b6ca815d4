import type { Availability, Backend } from './backend.js';
import { registerReferenceBackend } from './reference/register.js';
import { BackendUnavailableError, DisposedError, InvalidArgumentError, PointwiseError, UnknownBackendError, type BackendAttempt } from './errors.js';

/** Environment variable that names the backend (or a comma-separated preference list). */
export const BACKEND_ENV_VARIABLE = 'POINTWISE_BACKEND';

/** Creates a backend; called at most once per registration, on first use. */
export type BackendFactory = () => Backend | Promise<Backend>;

/** Options of {@link BackendRegistry.register}. */
export interface RegisterOptions {
  /**
   * Higher runs first in automatic selection. Negative: never chosen
   * automatically, only when asked for by name (ONNX Runtime's convention).
   * Default 0.
   */
  readonly priority?: number;
}

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
  readonly backend?: string | readonly string[];
  readonly strict?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The outcome of a selection: the initialised backend, and each earlier choice that failed with its reason. */
export interface SelectedBackend {
  readonly backend: Backend;
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
  /** Rejects with DisposedError when this life ends. */
  readonly ended: Promise<never>;
  end(error: Error): void;
}

function newLife(): Life {
  let end!: (error: Error) => void;
  const ended = new Promise<never>((_, reject) => {
    end = reject;
  });
  ended.catch(() => {}); // Nobody may be racing it; that is not an unhandled rejection.
  return { initialized: false, ended, end };
}

/** `work`, or a rejection as soon as `life` ends; a late result of `work` is released with `release`. */
function raceLife<T>(life: Life, work: Promise<T>, release?: (value: T) => void): Promise<T> {
  let lost = false;
  work.then(
    (value) => {
      if (lost) release?.(value);
    },
    () => {},
  );
  return Promise.race([work, life.ended.catch((error: unknown) => {
    lost = true;
    throw error;
  })]);
}

interface Entry {
  readonly name: string;
  readonly priority: number;
  readonly factory: BackendFactory;
  life: Life;
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
   * Registers a backend factory under `name`. Returns `false` (and keeps the
   * first) when the name is taken, so a second copy of a package that
   * registers itself does no harm.
   * @throws {InvalidArgumentError} for an empty name or a non-finite priority.
   */
  register(name: string, factory: BackendFactory, options: RegisterOptions = {}): boolean {
    if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('name', 'a non-empty string', name);
    const priority = options.priority ?? 0;
    if (!Number.isFinite(priority)) throw new InvalidArgumentError('priority', 'a finite number', priority);
    if (this.#entries.has(name)) return false;
    this.#entries.set(name, { name, priority, factory, life: newLife() });
    return true;
  }

  /** Removes a registration, disposing its backend if it was created. Returns whether it existed. */
  async unregister(name: string): Promise<boolean> {
    const entry = this.#entries.get(name);
    if (!entry) return false;
    this.#entries.delete(name);
    await this.#endLife(entry, `backend "${name}" was unregistered`);
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
      const availability = await this.#probe(entry);
      out.push({
        name,
        priority: entry.priority,
        available: availability.available,
        ...(availability.available ? {} : { reason: availability.reason }),
        initialized: entry.life.initialized,
      });
    }
    return out;
  }

  /**
   * The initialised backend `name`, without fallback.
   * @throws {UnknownBackendError} when `name` is not registered.
   * @throws {BackendUnavailableError} when it cannot run here or its `init()` failed.
   */
  async get(name: string): Promise<Backend> {
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
      const entry = this.#entries.get(name)!;
      const life = entry.life;
      try {
        const backend = await this.#ready(entry);
        return { backend, attempts, untilDisposed: <T>(work: Promise<T>) => raceLife(life, work, disposeLate) };
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
    await Promise.all([...this.#entries.values()].map((entry) => this.#endLife(entry, 'the registry was disposed')));
  }

  async #endLife(entry: Entry, why: string): Promise<void> {
    const life = entry.life;
    entry.life = newLife();
    life.end(new DisposedError(`backend "${entry.name}" (${why} while it was in use)`));
    if (!life.instance) return;
    const backend = await life.instance.catch(() => null);
    // An init() still running is left to settle, and the backend disposed again after it.
    life.ready?.then(disposeLate, () => {});
    await backend?.dispose();
  }

  /**
   * The names a selection would try, in order: `selection.backend`, else
   * `POINTWISE_BACKEND` (comma-separated), else every backend of priority ≥ 0.
   * @throws {UnknownBackendError} for a name that is not registered.
   * @throws {InvalidArgumentError} for an empty list.
   */
  candidates(selection: BackendSelection = {}): string[] {
    let requested: readonly string[] | undefined;
    let source = 'backend';
    if (selection.backend !== undefined) {
      requested = typeof selection.backend === 'string' ? [selection.backend] : selection.backend;
    } else {
      const fromEnv = (selection.env ?? processEnv())[BACKEND_ENV_VARIABLE];
      if (fromEnv !== undefined && fromEnv.trim() !== '') {
        requested = fromEnv.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
        source = BACKEND_ENV_VARIABLE;
      }
    }
    if (requested === undefined) return this.names().filter((n) => this.#entries.get(n)!.priority >= 0);
    if (requested.length === 0) throw new InvalidArgumentError(source, 'at least one backend name', requested);
    for (const name of requested) {
      if (!this.#entries.has(name)) throw new UnknownBackendError(name, this.names(), source);
    }
    return [...requested];
  }

  #instance(life: Life, entry: Entry): Promise<Backend> {
    life.instance ??= Promise.resolve().then(entry.factory);
    return life.instance;
  }

  async #probe(entry: Entry, life: Life = entry.life): Promise<Availability> {
    if (life.failure !== undefined) return { available: false, reason: life.failure };
    try {
      return await (await this.#instance(life, entry)).probe();
    } catch (error) {
      return { available: false, reason: reasonOf(error) };
    }
  }

  #ready(entry: Entry): Promise<Backend> {
    const life = entry.life;
    life.ready ??= (async () => {
      const availability = await this.#probe(entry, life);
      if (!availability.available) throw new Error(availability.reason);
      const backend = await this.#instance(life, entry);
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
