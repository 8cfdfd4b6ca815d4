import { parseBackendEntry, type BackendRegistry } from '@pointwise/core';
import { isErrorCase, type CatalogueEntry, type ConformanceCase, type Tier } from '../catalogue/case.js';
import { catalogue, filterEntries } from '../catalogue/index.js';
import { materializeCase } from '../catalogue/materialize.js';
import type { SsdMobilenetV1Source } from '../network/ssd-mobilenet-v1.js';
import { checkCaseOnBackend } from './check-case.js';
import { checkErrorCase } from './check-error-case.js';
import { checkProperty, type PropertyOptions } from './property.js';
import { messageOf, type CaseResult } from './result.js';
import { backendOption, type BackendTarget } from './target.js';
import { checkWitness, WITNESSES } from './witness.js';

/** A backend as the suite found it. */
export interface BackendStatus {
  readonly name: string;
  readonly available: boolean;
  readonly reason?: string;
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
      await registry.get(backendOption(name));
      statuses.push({ name, available: true });
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

/** The case records a run with these options checks: the catalogue's selected tiers, then the `file` cases, filtered. */
export function selectEntries(options: Pick<SuiteOptions, 'tiers' | 'filter' | 'fileCases' | 'network'>): CatalogueEntry[] {
  const { tiers, filter } = options;
  return [
    ...catalogue({ tiers, filter, network: options.network }),
    ...(tiers.includes('file') ? filterEntries(options.fileCases ?? [], filter) : []),
  ];
}

/** Whether a run with these options includes the generated property tier (its one check is named `property`). */
export function runsPropertyTier(options: Pick<SuiteOptions, 'tiers' | 'filter'>): boolean {
  return options.tiers.includes('property') && (options.filter === undefined || 'property'.includes(options.filter));
}

/**
 * Runs the catalogue's selected tiers (plus file cases) on every available
 * backend and the reference's witnesses. Cases run one at a time, each
 * materialised once and checked on every backend in turn, so the float64
 * reference is computed once per case.
 */
export async function runSuite(options: SuiteOptions): Promise<SuiteReport> {
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
  const entries = selectEntries(options);
  for (const entry of entries) {
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
    for (const t of available) record(await checkCaseOnBackend(m, t.backend, t.registry, t));
    if ((options.witnesses ?? true) && entry.witnesses) {
      for (const witness of WITNESSES) record(await checkWitness(m, witness));
    }
  }
  if (runsPropertyTier(options)) {
    for (const t of available) record(await checkProperty(t.backend, t.registry, options.property, t));
  }
  return { backends, results, wallMs: performance.now() - started };
}
