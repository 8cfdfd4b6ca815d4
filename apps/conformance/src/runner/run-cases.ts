import { callingThreadUse, parseBackendEntry, type BackendRegistry, type CallingThreadUse } from '@pointwise/core';
import { isErrorCase, type CatalogueEntry, type ConformanceCase, type Tier } from '../catalogue/case.js';
import { materializeCase, type MaterializedCase } from '../catalogue/materialize.js';
import type { SsdMobilenetV1Source } from '../network/ssd-mobilenet-v1.js';
import { checkCaseOnBackend } from './check-case.js';
import { checkErrorCase } from './check-error-case.js';
import { checkProperty, type PropertyOptions } from './property.js';
import { messageOf, type CaseResult } from './result.js';
import { backendOption, type BackendTarget } from './target.js';
import type { WitnessName } from './witness.js';

/** A backend as the suite found it. */
export interface BackendStatus {
  readonly name: string;
  readonly available: boolean;
  readonly reason?: string;
  /**
   * What a run does to the calling thread (core's `callingThreadUse` of the initialised backend's
   * capabilities; `'blocked'`: a page's main thread is busy for the whole run). Available backends only.
   */
  readonly callingThread?: CallingThreadUse | 'undeclared';
}

/** What {@link runSuite} runs. */
export interface SuiteOptions {
  /** The registry whose backends `backends` names; not needed with `targets`. */
  readonly registry?: BackendRegistry;
  /** Backend names to check in `registry`; default: every registered backend. Ignored when `targets` is given. */
  readonly backends?: readonly string[];
  /** The rows to check, each a backend in one configuration and the registry that holds it so (see `backend-configurations.ts`). */
  readonly targets?: readonly BackendTarget[];
  readonly tiers: readonly Tier[];
  /** Only cases whose name contains this text. */
  readonly filter?: string;
  /** Cases from `--cases` files (tier `file`). */
  readonly fileCases?: readonly ConformanceCase[];
  /** Check the reference with ONNX Runtime and TensorFlow.js where a case asks for it. Default true. */
  readonly witnesses?: boolean;
  readonly property?: PropertyOptions;
  readonly network?: SsdMobilenetV1Source;
  /** Called after each result (progress output). */
  readonly onResult?: (result: CaseResult) => void;
  /** Stops the run between two checks: it rejects with the signal's reason (an `AbortError`). */
  readonly signal?: AbortSignal;
  /** Awaited between two checks (a page passes a macrotask yield to stay responsive); a CLI passes nothing. */
  readonly pause?: () => Promise<void>;
}

/** What the shell gives {@link runCases}: the records to check and, in Node, the reference's witnesses. */
export interface CaseSource {
  /** The case records, in order (the Node entry's `selectEntries`, or `catalogueWith` in a page). */
  readonly entries: readonly CatalogueEntry[];
  /** Checks the reference with an independent library (ONNX Runtime, TF.js for Node); absent: witnesses are not run. */
  readonly checkWitness?: (m: MaterializedCase, witness: WitnessName) => Promise<CaseResult>;
  /** The witnesses' names, in order. */
  readonly witnesses?: readonly WitnessName[];
}

/** Everything a run produced. */
export interface SuiteReport {
  readonly backends: readonly BackendStatus[];
  readonly results: readonly CaseResult[];
  readonly wallMs: number;
}

/**
 * Initialises each requested backend once and sorts them into available and
 * unavailable (with the reason: `probe()` said no, or `init()` failed).
 * @param names registry names or configurations (`workers[kernel=js]`); default: every registered backend.
 */
export async function resolveBackends(registry: BackendRegistry, names?: readonly string[]): Promise<BackendStatus[]> {
  const listed = await registry.list();
  const wanted = names ?? listed.map((l) => l.name);
  const statuses: BackendStatus[] = [];
  for (const name of wanted) {
    const listing = listed.find((l) => l.name === parseBackendEntry(name).name);
    if (listing === undefined) {
      statuses.push({ name, available: false, reason: 'not registered (its package did not load)' });
      continue;
    }
    try {
      const backend = await registry.get(backendOption(name));
      statuses.push({ name, available: true, callingThread: callingThreadUse(backend.capabilities()) });
    } catch (error) {
      statuses.push({ name, available: false, reason: messageOf(error) });
    }
  }
  return statuses;
}

/**
 * Initialises each target's backend in its registry once: available, or
 * unavailable with the reason, under the target's name.
 */
export async function resolveTargets(targets: readonly BackendTarget[]): Promise<BackendStatus[]> {
  const statuses: BackendStatus[] = [];
  for (const target of targets) {
    const [status] = await resolveBackends(target.registry, [target.backend]);
    statuses.push({ ...status, name: target.name });
  }
  return statuses;
}

/** Whether a run with these options includes the generated property tier (its one check is named `property`). */
export function runsPropertyTier(options: Pick<SuiteOptions, 'tiers' | 'filter'>): boolean {
  return options.tiers.includes('property') && (options.filter === undefined || 'property'.includes(options.filter));
}

/**
 * Runs the given case records (and the property tier when selected) on every
 * available backend, and the reference's witnesses where the shell provides
 * them. Cases run one at a time, each materialised once and checked on every
 * backend in turn, so the float64 reference is computed once per case.
 * Environment-neutral: the Node CLI (`runSuite`) and the page both call it.
 */
export async function runCases(options: SuiteOptions, source: CaseSource): Promise<SuiteReport> {
  const between = async (): Promise<void> => {
    options.signal?.throwIfAborted();
    if (options.pause) await options.pause();
    options.signal?.throwIfAborted();
  };
  const started = performance.now();
  const { registry, tiers } = options;
  let targets = options.targets;
  if (targets === undefined) {
    if (registry === undefined) throw new TypeError('runSuite: expected a registry or targets');
    targets = (options.backends ?? (await registry.list()).map((l) => l.name)).map((name) => ({ name, backend: name, registry }));
  }
  const backends = await resolveTargets(targets);
  const available = targets.filter((t) => backends.some((b) => b.name === t.name && b.available));
  const results: CaseResult[] = [];
  const record = (r: CaseResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  for (const entry of source.entries) {
    await between();
    if (isErrorCase(entry)) {
      for (const t of available) record(await checkErrorCase(entry, t.backend, t.registry, t.name));
      continue;
    }
    let m;
    try {
      m = await materializeCase(entry);
    } catch (error) {
      for (const { name: backend } of available) {
        record({ case: entry.name, tier: entry.tier, backend, status: 'failed', reason: `invalid case: ${messageOf(error)}`, ms: 0 });
      }
      continue;
    }
    for (const t of available) {
      await between();
      record(await checkCaseOnBackend(m, t.backend, t.registry, t));
    }
    const { checkWitness } = source;
    if ((options.witnesses ?? true) && entry.witnesses && checkWitness) {
      for (const witness of source.witnesses ?? []) record(await checkWitness(m, witness));
    }
  }
  if (runsPropertyTier(options)) {
    for (const t of available) {
      await between();
      record(await checkProperty(t.backend, t.registry, options.property, t));
    }
  }
  return { backends, results, wallMs: performance.now() - started };
}
