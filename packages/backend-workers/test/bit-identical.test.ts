import { checkAccuracy, createTensor, describeAccuracy, normalizeConv1x1, referenceConv1x1 } from '@pointwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MicrokernelKind } from '@pointwise/backend-cpu-tiled';
import type { WorkersBackend } from '../dist/index.js';
import { caseInput, caseProblem, optionMatrixCases, WORKERS_CASES, type WorkersCase } from './cases.js';
import { firstBitDifference, prepareCase, registryWith, sharedCopy, startWorkers } from './helpers.js';

/** Both microkernels (this machine's Node has WebAssembly SIMD and shared memory; a test below checks it). */
const MICROKERNELS: readonly MicrokernelKind[] = ['js', 'wasm-simd'];

/** The cases grouped by kernel options (each group gets its own pair of backends). */
function byKernelOptions(cases: readonly WorkersCase[]): Map<string, WorkersCase[]> {
  const groups = new Map<string, WorkersCase[]>();
  for (const c of cases) {
    const key = JSON.stringify(c.kernel ?? {});
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return groups;
}

/** Runs every case on the workers backend and on cpu-tiled; returns the names whose bits differ. */
async function compareWithCpuTiled(
  threads: number,
  microkernel: MicrokernelKind,
  cases: readonly WorkersCase[],
  sharedTensors: boolean,
  callerComputes = true,
): Promise<string[]> {
  const mismatches: string[] = [];
  for (const [key, group] of byKernelOptions(cases)) {
    const kernel = { ...JSON.parse(key), kernel: microkernel };
    const workers = await startWorkers({ threads, callerComputes, ...kernel });
    const registry = registryWith(workers, kernel);
    try {
      for (const c of group) {
        const x = createTensor(caseInput(c), c.shape, c.inputLayout);
        const parallel = await prepareCase(c, 'workers', registry);
        const single = await prepareCase(c, 'cpu-tiled', registry);
        const expected = await single.run(x);
        // A shared output starts as a sentinel, so a cell the threads skip shows.
        const sharedOut = sharedCopy(expected);
        sharedOut.data.fill(-12345);
        const copiesBefore = workers.stats().bytesCopied;
        const actual = sharedTensors ? await parallel.run(sharedCopy(x), sharedOut) : await parallel.run(x);
        if (parallel.info.details.kernel !== microkernel) mismatches.push(`${c.name}: ran ${parallel.info.details.kernel}`);
        const copied = workers.stats().bytesCopied !== copiesBefore;
        if (sharedTensors && microkernel === 'js' && copied) mismatches.push(`${c.name}: shared tensors were copied`);
        const at = firstBitDifference(actual.data, expected.data);
        if (at >= 0) mismatches.push(`${c.name} at ${at}: ${actual.data[at]} vs ${expected.data[at]}`);
        parallel.dispose();
        single.dispose();
      }
    } finally {
      await workers.dispose();
    }
  }
  return mismatches;
}

describe.each(MICROKERNELS)('bit-identical to cpu-tiled, %s microkernel', (microkernel) => {
  for (const threads of [1, 2, 3, 7]) {
    it(`named cases at ${threads} thread(s)`, async () => {
      expect(await compareWithCpuTiled(threads, microkernel, WORKERS_CASES, false)).toEqual([]);
    });
  }

  it('named cases at 1, 2 and 3 pool threads with the calling thread not computing', async () => {
    expect(await compareWithCpuTiled(1, microkernel, WORKERS_CASES, false, false)).toEqual([]);
    expect(await compareWithCpuTiled(2, microkernel, WORKERS_CASES, false, false)).toEqual([]);
    expect(await compareWithCpuTiled(3, microkernel, WORKERS_CASES, true, false)).toEqual([]);
  });

  it('named cases on SharedArrayBuffer-backed tensors, 3 threads', async () => {
    expect(await compareWithCpuTiled(3, microkernel, WORKERS_CASES, true)).toEqual([]);
  });

  for (const threads of [2, 3]) {
    it(`every option combination at ${threads} threads`, async () => {
      expect(await compareWithCpuTiled(threads, microkernel, optionMatrixCases(), false)).toEqual([]);
    });
  }
});

describe('accuracy against the float64 reference', () => {
  let workers: WorkersBackend;
  beforeAll(async () => {
    workers = await startWorkers({ threads: 2 });
  });
  afterAll(() => workers.dispose());

  for (const c of WORKERS_CASES.filter((c) => c.kernel === undefined)) {
    it(c.name, async () => {
      const registry = registryWith(workers);
      const op = await prepareCase(c, 'workers', registry);
      const x = caseInput(c);
      const out = await op.run(createTensor(x, c.shape, c.inputLayout));
      const { geometry, weights, bias } = normalizeConv1x1(caseProblem(c));
      const report = checkAccuracy(out.data, referenceConv1x1(geometry, x, weights, bias), { k: geometry.inChannelsPerGroup });
      expect(report.failureCount, describeAccuracy(report)).toBe(0);
      op.dispose();
    });
  }
});
