import type { Layout } from '@pointwise/core';
import type { CaseOptions, ConformanceCase, DataSource, Tier } from './case.js';
import { caseName, seedOf } from './naming.js';

/** What {@link makeCase} needs: the problem; data defaults to seeded uniform values. */
export interface CaseSpec {
  readonly tier: Tier;
  readonly shape: readonly [number, number, number, number];
  readonly outChannels: number;
  readonly options?: CaseOptions;
  readonly inputLayout?: Layout;
  readonly outputLayout?: Layout;
  readonly bias?: boolean;
  /** Prefix of the name (e.g. `specials` or `mobilenet-v2`). */
  readonly label?: string;
  readonly description?: string;
  /** Data sources; each `seed` placeholder is replaced by a seed derived from the name. */
  readonly input?: (seed: number) => DataSource;
  readonly weights?: (seed: number) => DataSource;
  readonly biasData?: (seed: number) => DataSource;
  readonly witnesses?: boolean;
}

/**
 * Builds a case record from a spec: the name encodes the parameters
 * ({@link caseName}), the data seeds derive from the name, so a case keeps
 * its data when others are added or reordered.
 */
export function makeCase(spec: CaseSpec): ConformanceCase {
  const inputLayout = spec.inputLayout ?? 'NCHW';
  const outputLayout = spec.outputLayout ?? inputLayout;
  const options = spec.options ?? {};
  const bias = spec.bias ?? false;
  const base = caseName(spec.shape, spec.outChannels, options, inputLayout, outputLayout, bias);
  const name = `${spec.tier}/${spec.label ? `${spec.label}/` : ''}${base}`;
  const seed = seedOf(name);
  const uniform = (s: number): DataSource => ({ generator: 'uniform', seed: s });
  return {
    name,
    tier: spec.tier,
    ...(spec.description ? { description: spec.description } : {}),
    inputShape: spec.shape,
    inputLayout,
    outputLayout,
    outChannels: spec.outChannels,
    options,
    input: (spec.input ?? uniform)(seed),
    weights: (spec.weights ?? uniform)(seed + 1),
    bias: bias ? (spec.biasData ?? uniform)(seed + 2) : null,
    witnesses: spec.witnesses ?? true,
  };
}
