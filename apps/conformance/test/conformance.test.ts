/**
 * The conformance catalogue inside `pnpm test`: one suite, re-run for every
 * registered backend that is available here (TensorFlow.js's
 * `describeWithFlags` idea). Sized for CI: the edge and errors tiers in full,
 * the cheaper MobileNetV2 layers, the real network at a 128-pixel input and
 * a short property run. The full catalogue is `pnpm conformance`.
 */
import { BackendRegistry, registerReferenceBackend } from '@pointwise/core';
import { afterAll, describe, expect, it } from 'vitest';
import { registerAllBackends } from '../src/backends.js';
import { isErrorCase, type ConformanceCase, type ErrorCase } from '../src/catalogue/case.js';
import { catalogue } from '../src/catalogue/index.js';
import { LAYER_SPECS, layerCase } from '../src/catalogue/layers.js';
import { materializeCase, type MaterializedCase } from '../src/catalogue/materialize.js';
import { checkCaseOnBackend } from '../src/runner/check-case.js';
import { checkErrorCase } from '../src/runner/check-error-case.js';
import { checkProperty } from '../src/runner/property.js';
import { resolveBackends } from '../src/runner/run-suite.js';
import { checkWitness, WITNESSES } from '../src/runner/witness.js';

/** Without a display gpu.js reaches only software modes: test its cpu mode, by name, on a subset. */
const GPUJS_OPTIONS = process.env.DISPLAY ? {} : { mode: 'cpu' };
const GPUJS_SUBSET = /options\/nchw|stride|groups|specials|empty-batch|errors\//;

const registry = new BackendRegistry();
registerReferenceBackend(registry);
const missing = await registerAllBackends(registry, { options: { gpujs: GPUJS_OPTIONS } });
const backends = await resolveBackends(registry);
const available = backends.filter((b) => b.available).map((b) => b.name);

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

it('registers every landed backend package and finds the reference available', () => {
  expect(missing).toEqual([]);
  expect(available).toContain('reference');
});

describe.each(available)('backend %s', (backend) => {
  const subset = (name: string) => backend !== 'gpujs' || GPUJS_SUBSET.test(name);

  const cases = dataCases.filter((c) => subset(c.name));
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const result = await checkCaseOnBackend(await materialize(c), backend, registry);
    expect(result.status, result.reason).toBe('passed');
  });

  it.each(errorCases.filter((c) => subset(c.name)).map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const result = await checkErrorCase(c, backend, registry);
    expect(result.status, result.reason).toBe('passed');
  });

  it('property: random shapes and options', async () => {
    const result = await checkProperty(backend, registry, { runs: backend === 'gpujs' ? 10 : 25 });
    expect(result.status, result.reason).toBe('passed');
  });
});

describe.each(WITNESSES)('the reference checked by %s', (witness) => {
  const witnessed = dataCases.filter((c) => c.witnesses && c.tier !== 'network');
  it.each(witnessed.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const result = await checkWitness(await materialize(c), witness);
    expect(result.status, result.reason).not.toBe('failed');
  });
});
