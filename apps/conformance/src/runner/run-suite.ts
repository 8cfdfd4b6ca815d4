import type { CatalogueEntry } from '../catalogue/case.js';
import { catalogue, filterEntries } from '../catalogue/index.js';
import { runCases, type SuiteOptions, type SuiteReport } from './run-cases.js';
import { checkWitness, WITNESSES } from './witness.js';

export * from './run-cases.js';

/** The case records a run with these options checks: the catalogue's selected tiers, then the `file` cases, filtered. */
export function selectEntries(options: Pick<SuiteOptions, 'tiers' | 'filter' | 'fileCases' | 'network'>): CatalogueEntry[] {
  const { tiers, filter } = options;
  return [
    ...catalogue({ tiers, filter, network: options.network }),
    ...(tiers.includes('file') ? filterEntries(options.fileCases ?? [], filter) : []),
  ];
}

/**
 * Runs the catalogue's selected tiers (plus file cases) on every available
 * backend and the reference's witnesses (ONNX Runtime, TensorFlow.js): {@link runCases}
 * with this Node process's catalogue (network tier included) and witnesses.
 */
export async function runSuite(options: SuiteOptions): Promise<SuiteReport> {
  return runCases(options, { entries: selectEntries(options), checkWitness, witnesses: WITNESSES });
}
