import type { Availability, Backend } from './backend.js';
import { registerReferenceBackend } from './reference/register.js';
import { BackendUnavailableError, InvalidArgumentError, UnknownBackendError, type BackendAttempt } from './errors.js';

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
}

interface Entry {
  readonly name: string;
  readonly priority: number;
  readonly factory: BackendFactory;
  instance?: Promise<Backend>;
  ready?: Promise<Backend>;
  initialized: boolean;
  failure?: string;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
    this.#entries.set(name, { name, priority, factory, initialized: false });
    return true;
  }

  /** Removes a registration, disposing its backend if it was created. Returns whether it existed. */
  async unregister(name: string): Promise<boolean> {
    const entry = this.#entries.get(name);
    if (!entry) return false;
    this.#entries.delete(name);
    if (entry.instance) await (await entry.instance.catch(() => null))?.dispose();
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
        initialized: entry.initialized,
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
      try {
        return { backend: await this.#ready(entry), attempts };
      } catch (error) {
        attempts.push({ backend: name, reason: reasonOf(error) });
        if (selection.strict) throw new BackendUnavailableError(attempts, true);
      }
    }
    throw new BackendUnavailableError(attempts, selection.strict ?? false);
  }

  /** Disposes every backend that was created; registrations stay and re-initialise on next use. */
  async dispose(): Promise<void> {
    for (const entry of this.#entries.values()) {
      const instance = entry.instance;
      entry.instance = undefined;
      entry.ready = undefined;
      entry.initialized = false;
      entry.failure = undefined;
      if (instance) await (await instance.catch(() => null))?.dispose();
    }
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

  #instance(entry: Entry): Promise<Backend> {
    entry.instance ??= Promise.resolve().then(entry.factory);
    return entry.instance;
  }

  async #probe(entry: Entry): Promise<Availability> {
    if (entry.failure !== undefined) return { available: false, reason: entry.failure };
    try {
      return await (await this.#instance(entry)).probe();
    } catch (error) {
      return { available: false, reason: reasonOf(error) };
    }
  }

  #ready(entry: Entry): Promise<Backend> {
    entry.ready ??= (async () => {
      const availability = await this.#probe(entry);
      if (!availability.available) throw new Error(availability.reason);
      const backend = await this.#instance(entry);
      await backend.init();
      entry.initialized = true;
      return backend;
    })().catch((error: unknown) => {
      entry.failure = reasonOf(error);
      throw error;
    });
    return entry.ready;
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
