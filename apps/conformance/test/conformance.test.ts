/**
 * The conformance catalogue inside `pnpm test`: one suite, re-run for every
 * configuration `pnpm conformance` checks by default that is available here
 * (TensorFlow.js's `describeWithFlags` idea): `reference`, each microkernel
 * of `cpu-tiled` and of `workers` with its thresholds and forced onto the
 * pool (`workers[js,pool]`, `workers[wasm-simd,pool]`), and gpu.js's modes.
 * Sized for CI: the edge and errors tiers in full, the cheaper MobileNetV2
 * layers, the real network at a 128-pixel input and a short property run.
 * The full catalogue is `pnpm conformance`.
 */
import { parseBackendEntry } from '@pointwise/core';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfigurationNames, resolveBackendConfiguration } from '../src/backend-configurations.js';
import { createConformanceRegistry, createTargets, BACKEND_PACKAGES } from '../src/backends.js';
import { isErrorCase, type ConformanceCase, type ErrorCase } from '../src/catalogue/case.js';
import { catalogue } from '../src/catalogue/index.js';
import { LAYER_SPECS, layerCase } from '../src/catalogue/layers.js';
import { materializeCase, type MaterializedCase } from '../src/catalogue/materialize.js';
import { checkCaseOnBackend } from '../src/runner/check-case.js';
import { checkErrorCase } from '../src/runner/check-error-case.js';
import { checkProperty } from '../src/runner/property.js';
import { resolveTargets } from '../src/runner/run-suite.js';
import { checkWitness, WITNESSES } from '../src/runner/witness.js';

/** gpu.js runs a subset (its software modes are slow); without a display its auto mode is unavailable. */
const GPUJS_SUBSET = /options\/nchw|stride|groups|specials|activation-bounds|padding-non-finite|empty-batch|errors\//;

const { registry, missing } = await createConformanceRegistry();
const names = ['reference', ...BACKEND_PACKAGES.flatMap((p) => defaultConfigurationNames(p.name))];
const targets = createTargets(
  names.map((name) => resolveBackendConfiguration(registry, { entry: parseBackendEntry(name) })),
  registry,
);
const statuses = await resolveTargets(targets);
const available = targets.filter((t) => statuses.some((s) => s.name === t.name && s.available));

const entries = catalogue({ tiers: ['edge', 'network', 'errors'], network: { inputSize: 128 } });
const mobilenetLayers = LAYER_SPECS.filter((s) => s.suite === 'mobilenet-v2').map((s) => layerCase(s));
const dataCases: ConformanceCase[] = [...entries.filter((e): e is ConformanceCase => !isErrorCase(e)), ...mobilenetLayers];
const errorCases = entries.filter((e): e is ErrorCase => isErrorCase(e));

const materialized = new Map<string, Promise<MaterializedCase>>();
function materialize(c: ConformanceCase): Promise<MaterializedCase> {
  let m = materialized.get(c.name);
  if (m === undefined) {
    m = materializeCase(c);
    materialized.set(c.name, m);
  }
  return m;
}

afterAll(async () => {
  await registry.dispose();
});

it('registers every backend package and finds every CPU configuration available', () => {
  expect(missing).toEqual([]);
  expect(available.map((t) => t.name)).toEqual(
    expect.arrayContaining(['reference', 'cpu-tiled[js]', 'cpu-tiled[wasm-simd]', 'workers[js]', 'workers[wasm-simd]', 'workers[js,pool]', 'workers[wasm-simd,pool]', 'gpujs[cpu]']),
  );
});

it("stamps each available configuration with what its runs do to the calling thread: computing there is 'blocked', the workers' share 'shared'", () => {
  const use = Object.fromEntries(statuses.filter((s) => s.available).map((s) => [s.name, s.callingThread]));
  expect(use).toMatchObject({ reference: 'blocked', 'cpu-tiled[js]': 'blocked', 'cpu-tiled[wasm-simd]': 'blocked', 'workers[js]': 'shared', 'workers[js,pool]': 'shared', 'gpujs[cpu]': 'blocked' });
  for (const s of statuses.filter((s) => !s.available)) expect(s.callingThread, s.name).toBeUndefined();
});

describe.each(available.map((t) => [t.name, t] as const))('backend %s', (_, target) => {
  const gpujs = parseBackendEntry(target.backend).name === 'gpujs';
  const subset = (name: string) => !gpujs || GPUJS_SUBSET.test(name);

  const cases = dataCases.filter((c) => subset(c.name));
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const result = await checkCaseOnBackend(await materialize(c), target.backend, target.registry, target);
    expect(result.status, result.reason).toBe('passed');
  });

  it.each(errorCases.filter((c) => subset(c.name)).map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const result = await checkErrorCase(c, target.backend, target.registry, target.name);
    expect(result.status, result.reason).toBe('passed');
  });

  it('property: random shapes and options', async () => {
    const result = await checkProperty(target.backend, target.registry, { runs: gpujs ? 10 : 25 }, target);
    expect(result.status, result.reason).toBe('passed');
  });
});

describe.each(WITNESSES)('the reference checked by %s', (witness) => {
  const witnessed = dataCases.filter((c) => c.witnesses && c.tier !== 'network');
  it.each(witnessed.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const result = await checkWitness(await materialize(c), witness);
    expect(result.status, result.reason).not.toBe('failed');
    // A skip is a declared reason (a geometry the witness cannot express or a known semantic difference), never silence.
    if (result.status === 'skipped') expect(result.reason).toMatch(/^(groups = |N = 0|known difference)/);
  });
});
