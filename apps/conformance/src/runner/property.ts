import type { BackendRegistry, Layout } from '@pointwise/core';
import fc from 'fast-check';
import type { CaseOptions, ConformanceCase } from '../catalogue/case.js';
import { makeCase } from '../catalogue/make-case.js';
import { materializeCase } from '../catalogue/materialize.js';
import { checkCaseOnBackend } from './check-case.js';
import type { CaseResult } from './result.js';
import type { BackendTarget } from './target.js';

/** Settings of the property tier. */
export interface PropertyOptions {
  /** fast-check seed; the same seed replays the same cases. Default {@link DEFAULT_PROPERTY_SEED}. */
  readonly seed?: number;
  /** Random cases per backend. Default 60. */
  readonly runs?: number;
  /** Smallest batch generated. Default 0 (empty batches included). */
  readonly minBatch?: number;
}

/** The property tier's default seed (fixed, so runs are reproducible; `--seed` changes it). */
export const DEFAULT_PROPERTY_SEED = 0x5eed;

const layout = fc.constantFrom<Layout>('NCHW', 'NHWC');
const activation = fc.constantFrom<NonNullable<CaseOptions['activation']>>('none', 'relu', 'relu6', { type: 'clamp', min: -0.5, max: 0.25 });

/**
 * fast-check arbitrary of small random cases: `N` `minBatch`–3, groups 1–4 with
 * 1–9 input and 1–6 output channels per group, `H`, `W` 1–9, strides 1–3,
 * each padding 0–2, both layouts in and out, any activation, with or without
 * bias, seeded uniform data. Values are case records, so a shrunk
 * counterexample can be pasted into a `--cases` file.
 */
export function caseArbitrary(minBatch = 0): fc.Arbitrary<ConformanceCase> {
  return fc
  .record({
    n: fc.integer({ min: minBatch, max: 3 }),
    groups: fc.integer({ min: 1, max: 4 }),
    kPerGroup: fc.integer({ min: 1, max: 9 }),
    coPerGroup: fc.integer({ min: 1, max: 6 }),
    h: fc.integer({ min: 1, max: 9 }),
    w: fc.integer({ min: 1, max: 9 }),
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    padding: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
    inputLayout: layout,
    outputLayout: layout,
    activation,
    bias: fc.boolean(),
  })
  .map((r) =>
    makeCase({
      tier: 'property',
      shape: [r.n, r.groups * r.kPerGroup, r.h, r.w],
      outChannels: r.groups * r.coPerGroup,
      options: { stride: r.stride, padding: r.padding, groups: r.groups, activation: r.activation },
      inputLayout: r.inputLayout,
      outputLayout: r.outputLayout,
      bias: r.bias,
      witnesses: false,
    }),
  );
}

/**
 * The property tier on one backend: random cases from {@link caseArbitrary},
 * each checked like a catalogue case. On failure fast-check shrinks to a
 * smallest failing case, reported with the seed and path that replay it.
 */
export async function checkProperty(
  backend: string,
  registry: BackendRegistry,
  options: PropertyOptions = {},
  configuration?: Pick<BackendTarget, 'name' | 'expectedDetails'>,
): Promise<CaseResult> {
  const row = configuration?.name ?? backend;
  const seed = options.seed ?? DEFAULT_PROPERTY_SEED;
  const runs = options.runs ?? 60;
  const started = performance.now();
  let lastFailure: CaseResult | undefined;
  let worstRatio = 0;
  const property = fc.asyncProperty(caseArbitrary(options.minBatch), async (c) => {
    const result = await checkCaseOnBackend(await materializeCase(c), backend, registry, configuration);
    if (result.status === 'failed') {
      lastFailure = result;
      return false;
    }
    worstRatio = Math.max(worstRatio, result.worstRatio ?? 0);
    return true;
  });
  const details = await fc.check(property, { seed, numRuns: runs });
  const name = `property/random-shapes (seed ${seed}, ${runs} runs)`;
  const ms = performance.now() - started;
  if (!details.failed) return { case: name, tier: 'property', backend: row, status: 'passed', worstRatio, elements: runs, ms };
  const counterexample = details.counterexample?.[0];
  return {
    case: name,
    tier: 'property',
    backend: row,
    status: 'failed',
    reason:
      `shrunk after ${details.numShrinks} steps to ${JSON.stringify(counterexample)}: ${lastFailure?.reason ?? String(details.errorInstance)} ` +
      `(replay: seed ${details.seed}, path "${details.counterexamplePath}")`,
    ms,
  };
}
