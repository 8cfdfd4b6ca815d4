import type { BackendRegistry } from '@pointwise/core';
import { isErrorCase, type CatalogueEntry, type ConformanceCase, type Tier } from '../catalogue/case.js';
import { catalogue, filterEntries } from '../catalogue/index.js';
import { materializeCase } from '../catalogue/materialize.js';
import type { SsdMobilenetV1Source } from '../network/ssd-mobilenet-v1.js';
import { checkCaseOnBackend } from './check-case.js';
import { checkErrorCase } from './check-error-case.js';
import { checkProperty, type PropertyOptions } from './property.js';
import { messageOf, type CaseResult } from './result.js';
import { checkWitness, WITNESSES } from './witness.js';

/** A backend as the suite found it. */
export interface BackendStatus {
  readonly name: string;
  readonly available: boolean;
  readonly reason?: string;
}

/** What {@link runSuite} runs. */
export interface SuiteOptions {
  readonly registry: BackendRegistry;
  /** Backend names to check; default: every registered backend. */
  readonly backends?: readonly string[];
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
 */
export async function resolveBackends(registry: BackendRegistry, names?: readonly string[]): Promise<BackendStatus[]> {
  const listed = await registry.list();
  const wanted = names ?? listed.map((l) => l.name);
  const statuses: BackendStatus[] = [];
  for (const name of wanted) {
    const listing = listed.find((l) => l.name === name);
    if (listing === undefined) {
      statuses.push({ name, available: false, reason: 'not registered (its package did not load)' });
      continue;
    }
    try {
      await registry.get(name);
      statuses.push({ name, available: true });
    } catch (error) {
      statuses.push({ name, available: false, reason: messageOf(error) });
    }
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
  const backends = await resolveBackends(registry, options.backends);
  const available = backends.filter((b) => b.available).map((b) => b.name);
  const results: CaseResult[] = [];
  const record = (r: CaseResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  const entries = selectEntries(options);
  for (const entry of entries) {
    if (isErrorCase(entry)) {
      for (const backend of available) record(await checkErrorCase(entry, backend, registry));
      continue;
    }
    let m;
    try {
      m = await materializeCase(entry);
    } catch (error) {
      for (const backend of available) {
        record({ case: entry.name, tier: entry.tier, backend, status: 'failed', reason: `invalid case: ${messageOf(error)}`, ms: 0 });
      }
      continue;
    }
    for (const backend of available) record(await checkCaseOnBackend(m, backend, registry));
    if ((options.witnesses ?? true) && entry.witnesses) {
      for (const witness of WITNESSES) record(await checkWitness(m, witness));
    }
  }
  if (runsPropertyTier(options)) {
    for (const backend of available) record(await checkProperty(backend, registry, options.property));
  }
  return { backends, results, wallMs: performance.now() - started };
}
