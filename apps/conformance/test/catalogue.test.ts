import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendRegistry, registerReferenceBackend } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { parseCaseFile } from '../src/catalogue/case-file.js';
import { catalogue } from '../src/catalogue/index.js';
import { materializeCase } from '../src/catalogue/materialize.js';
import { networkCases } from '../src/catalogue/network.js';
import { loadSsdMobilenetV1PointwiseLayers } from '../src/network/ssd-mobilenet-v1.js';
import { loadTfjsWeights } from '../src/network/tfjs-weights.js';
import { checkCaseOnBackend } from '../src/runner/check-case.js';
import { buildMatrix } from '../src/runner/matrix.js';

describe('catalogue', () => {
  it('is deterministic, JSON-serialisable and uniquely named', () => {
    const a = catalogue();
    expect(JSON.parse(JSON.stringify(a))).toEqual(catalogue());
    expect(new Set(a.map((c) => c.name)).size).toBe(a.length);
  });

  it('encodes parameters in names', () => {
    const names = catalogue({ tiers: ['edge'] }).map((c) => c.name);
    expect(names).toContain('edge/stride-beyond-input/nchw-n1-ci4-h3-w2-co3-s5-bias');
    expect(names).toContain('edge/groups/nhwc-n2-ci12-h3-w4-co12-g12-bias');
  });

  it('generates the same data for the same case', async () => {
    const [c] = catalogue({ tiers: ['edge'], filter: 'specials-in-input' });
    const [a, b] = await Promise.all([materializeCase(c as never), materializeCase(c as never)]);
    expect(Buffer.from(a.x.data.buffer)).toEqual(Buffer.from(b.x.data.buffer));
    expect(a.x.data.some(Number.isNaN)).toBe(true);
  });
});

describe('case files', () => {
  const registry = new BackendRegistry();
  registerReferenceBackend(registry);
  const file = (expected: unknown[]) =>
    parseCaseFile(
      {
        cases: [
          {
            name: 'inline',
            inputShape: [1, 2, 1, 2],
            inputLayout: 'NCHW',
            outChannels: 2,
            options: { activation: 'relu' },
            input: { values: [1, 2, 3, 4] },
            weights: { values: [1, 1, 1, -1] },
            bias: { values: [0.5, '-0'] },
            expected: { output: { values: expected }, tolerance: { atol: 0 } },
          },
        ],
      },
      'inline.json',
    );

  it('passes a hand-computed expected output', async () => {
    const [c] = file([4.5, 6.5, 0, 0]);
    expect(c.tier).toBe('file');
    expect((await checkCaseOnBackend(await materializeCase(c), 'reference', registry)).status).toBe('passed');
  });

  it('fails a wrong expected output', async () => {
    const [c] = file([4.5, 6.5, 0, 1]);
    const result = await checkCaseOnBackend(await materializeCase(c), 'reference', registry);
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/expected output/);
  });

  it('names the record and field that is malformed', () => {
    expect(() => parseCaseFile([{ name: 'x', inputShape: [1, 2, 3] }], 'bad.json')).toThrow(/bad\.json: cases\[0\]\.inputShape/);
  });

  it('rejects an unknown field, suggesting the known one, and a tolerance that is not a finite number ≥ 0', () => {
    const record = { name: 'x', inputShape: [1, 1, 1, 1], outChannels: 1, input: { values: [1] }, weights: { values: [1] } };
    // Was accepted: the misspelt expectation was ignored and the case passed on the reference alone.
    expect(() => parseCaseFile([{ ...record, expcted: { output: { values: [2] } } }], 'typo.json')).toThrow(
      'typo.json: cases[0].expcted: expected one of the known options (name, tier, description, inputShape, inputLayout, outputLayout, outChannels, options, input, weights, bias, expected, witnesses), received "expcted" (did you mean "expected"?)',
    );
    expect(() => parseCaseFile([{ ...record, expected: { output: { values: [1] }, tolerence: { atol: 1 } } }], 't.json')).toThrow(/t\.json: cases\[0\]\.expected\.tolerence: .*did you mean "tolerance"/);
    for (const tolerance of [{ atol: -1 }, { rtol: Number.NaN }, { boundFactor: -2 }, { boundFactor: 2, atol: 1 }, { atoll: 1 }, 5]) {
      expect(() => parseCaseFile([{ ...record, expected: { output: { values: [1] }, tolerance } }], 't.json'), JSON.stringify(tolerance)).toThrow(/t\.json: cases\[0\]\.expected\.tolerance: /);
    }
    for (const tolerance of [undefined, { atol: 0 }, { rtol: 1e-6 }, { atol: 1, rtol: 0 }, { boundFactor: 2 }, {}]) {
      expect(parseCaseFile([{ ...record, expected: { output: { values: [1] }, ...(tolerance ? { tolerance } : {}) } }], 't.json')).toHaveLength(1);
    }
    // Was materialised first: 2^32 generated inputs (16 GiB) before core saw the shape.
    expect(() => parseCaseFile([{ ...record, inputShape: [1, 2, 1, 2 ** 31] }], 't.json')).toThrow('t.json: cases[0].inputShape: expected at most 536870912 elements N·Ci·H·W, received 4294967296');
    expect(() => parseCaseFile([{ ...record, outChannels: 2 ** 40 }], 't.json')).toThrow(/t\.json: cases\[0\]\.outChannels: expected at most 536870912 weights/);
    expect(parseCaseFile([{ ...record, inputShape: [1, 1, 2 ** 14, 2 ** 15] }], 't.json')).toHaveLength(1);
    // A built-in case's own fields read back.
    expect(parseCaseFile([{ ...record, tier: 'edge', description: 'd', expected: { output: { values: [1] }, source: 's' } }], 't.json')).toHaveLength(1);
  });
});

describe('TensorFlow.js weights', () => {
  it('dequantises uint8 entries as q·scale + min and reads float32 entries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pointwise-weights-'));
    const bin = Buffer.alloc(3 + 8);
    bin.set([0, 10, 255], 0);
    bin.writeFloatLE(1.5, 3);
    bin.writeFloatLE(-2, 7);
    await writeFile(join(dir, 'w.bin'), bin);
    const manifest = [
      {
        paths: ['w.bin'],
        weights: [
          { name: 'q', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
          { name: 'f', shape: [2], dtype: 'float32' },
        ],
      },
    ];
    await writeFile(join(dir, 'm.json'), JSON.stringify(manifest));
    const weights = await loadTfjsWeights(join(dir, 'm.json'));
    expect(Array.from(weights.get('q')!.data)).toEqual([-1, 4, 126.5]);
    expect(Array.from(weights.get('f')!.data)).toEqual([1.5, -2]);
  });
});

describe('SSD-MobileNetV1 tier', () => {
  it('loads 29 pointwise layers whose shapes match the catalogue', async () => {
    const layers = await loadSsdMobilenetV1PointwiseLayers({ inputSize: 128 });
    const cases = networkCases({ inputSize: 128 });
    expect(layers.map((l) => l.name)).toEqual(cases.map((c) => c.name.split('/').slice(2).join('/')));
    for (const [i, layer] of layers.entries()) {
      expect(layer.input.shape).toEqual(cases[i].inputShape);
      expect(layer.outChannels).toBe(cases[i].outChannels);
    }
    // Real activations after relu6: within [0, 6], not all zero.
    const first = layers[0].input.data;
    expect(first.every((v) => v >= 0 && v <= 6)).toBe(true);
    expect(first.some((v) => v > 0)).toBe(true);
  });
});

describe('matrix', () => {
  it('counts results per backend and tier with the worst ratio', () => {
    const m = buildMatrix([
      { case: 'a', tier: 'edge', backend: 'x', status: 'passed', worstRatio: 0.2, ms: 1 },
      { case: 'b', tier: 'edge', backend: 'x', status: 'failed', worstRatio: 3, ms: 1 },
      { case: 'c', tier: 'edge', backend: 'witness:tfjs', status: 'skipped', ms: 0 },
      { case: 'd', tier: 'errors', backend: 'x', status: 'passed', ms: 1 },
    ]);
    expect(m.rows).toEqual(['x', 'witness:tfjs']);
    expect(m.tiers).toEqual(['edge', 'errors']);
    expect(m.cells.get('x\u0000edge')).toEqual({ passed: 1, failed: 1, skipped: 0, worstRatio: 3 });
  });
});
