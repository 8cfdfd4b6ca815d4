import { describe, expect, it } from 'vitest';
import {
  BACKEND_API_VERSION,
  BackendRegistry,
  POINTWISE_CORE_VERSION,
  PointwiseError,
  ReferenceBackend,
  Wisdom,
  measurementInput,
  InvalidArgumentError,
  normalizeConv1x1,
  environmentFingerprint,
  formatBackendEntry,
  parseBackendEntry,
  prepareConv1x1,
  registerReferenceBackend,
  type Availability,
  type Backend,
  type BackendOperator,
  type PrepareRequest,
  type Tensor,
} from '../src/index.js';

/** The code of what `f` throws (or rejects with); a TypeError has none, which is the failure these tests look for. */
async function codeOf(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (error) {
    return PointwiseError.isInstance(error) ? error.code : `untyped ${(error as Error)?.name}: ${(error as Error)?.message}`;
  }
  return 'no error';
}

/** The reference computation under another name, with hooks into its runs and disposal. */
class HookedBackend implements Backend {
  readonly apiVersion = BACKEND_API_VERSION;
  disposedOps = 0;
  runs = 0;
  constructor(
    readonly name: string,
    private readonly hooks: {
      onRun?: (run: number, out: Tensor, x: Tensor) => Promise<void> | void;
      /** Whether run number `run` computes at all (default: every run). */
      computes?: (run: number) => boolean;
      init?: () => Promise<void>;
    } = {},
  ) {}
  async probe(): Promise<Availability> {
    return { available: true };
  }
  async init() {
    await this.hooks.init?.();
  }
  capabilities() {
    return new ReferenceBackend().capabilities();
  }
  async prepare(request: PrepareRequest): Promise<BackendOperator> {
    const op = await new ReferenceBackend().prepare(request);
    return {
      geometry: op.geometry,
      info: { backend: this.name, details: {} },
      run: async (x: Tensor, out: Tensor) => {
        const run = ++this.runs;
        if (this.hooks.computes?.(run) ?? true) await op.run(x, out);
        await this.hooks.onRun?.(run, out, x);
      },
      dispose: () => {
        this.disposedOps++;
      },
    };
  }
  async dispose() {}
}

// y = 1·x0 + 2·x1 at each of the 4 pixels.
const problem = { inputShape: [1, 2, 2, 2] as const, weights: { data: new Float32Array([1, 2]), shape: [1, 2] } };

describe('selection strings and objects from hostile or careless callers', () => {
  it('reads keys that Object.prototype also has (constructor, toString, valueOf) as ordinary keys', () => {
    expect(parseBackendEntry('reference[constructor=1,toString=a,valueOf=true]')).toEqual({
      name: 'reference',
      options: { constructor: 1, toString: 'a', valueOf: true },
    });
    expect(Object.getPrototypeOf(parseBackendEntry('x[constructor=1]').options)).toBe(Object.prototype);
  });

  it('gives the factory exactly the option values of an object entry, also those the plain string form cannot carry', async () => {
    const registry = new BackendRegistry();
    const seen: Record<string, unknown>[] = [];
    registry.register('cap', (options) => {
      seen.push(options);
      return new HookedBackend('cap');
    });
    const values: Record<string, unknown>[] = [
      { label: 'a,b' },
      { label: 'a]' },
      { label: 'x=1' },
      { label: '4' },
      { label: 'true' },
      { label: ' padded ' },
      { label: 'say "hi"' },
      { label: '' },
      { n: -0 },
      { n: Infinity },
      { label: 'data:text/javascript,postMessage(1)' },
    ];
    for (const v of values) {
      const op = await prepareConv1x1(problem, { registry, backend: { name: 'cap', ...v } as never });
      expect(seen.at(-1)).toEqual(v);
      if (typeof v.n === 'number') expect(Object.is(seen.at(-1)!.n, v.n)).toBe(true);
      // The reported configuration reads back to the same options.
      expect(parseBackendEntry(op.info.configuration!).options).toEqual(v);
      op.dispose();
    }
    // Distinct values are distinct configurations (not one backend shared by '4' and 4).
    expect(registry.candidates({ backend: [{ name: 'cap', label: '4' }, { name: 'cap', label: 4 }] as never })).toEqual(['cap[label="4"]', 'cap[label=4]']);
    expect(formatBackendEntry({ name: 'cap', options: { label: 'a,b' } })).toBe('cap[label="a,b"]');
    expect(parseBackendEntry('cap[label="a,b]=c",n=2]').options).toEqual({ label: 'a,b]=c', n: 2 });
    expect(await codeOf(() => parseBackendEntry('cap[label="open]'))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => parseBackendEntry('cap[label="a"b"]'))).toBe('INVALID_ARGUMENT');
  });

  it('rejects Symbol keys in an object entry with a typed error', async () => {
    expect(await codeOf(() => parseBackendEntry({ name: 'reference', [Symbol('k')]: 1 }))).toBe('INVALID_ARGUMENT');
  });

  it('types every wrong registration option instead of a TypeError later', async () => {
    const r = new BackendRegistry();
    const f = () => new ReferenceBackend();
    for (const options of [{ validate: 'no' }, { presets: 5 }, { presets: { pool: 5 } }, { presets: { 'a b': {} } }, { presets: { p: { k: {} } } }, { shorthand: 7 }, { options: 'abc' }, { options: [1] }]) {
      expect(await codeOf(() => r.register('x', f, options as never))).toBe('INVALID_ARGUMENT');
    }
    // A name the syntax cannot spell could never be selected by a string.
    for (const name of ['a,b', 'a[b]', 'has space', 'q"']) expect(await codeOf(() => r.register(name, f))).toBe('INVALID_ARGUMENT');
    expect(r.names()).toEqual([]);
  });

  it('types a POINTWISE_BACKEND that is not a string', async () => {
    expect(await codeOf(() => new BackendRegistry().candidates({ env: { POINTWISE_BACKEND: 5 as never } }))).toBe('INVALID_ARGUMENT');
  });

  it('falls back past a backend unregistered while an earlier one initialised, with the reason', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    let fail!: () => void;
    registry.register('slow', () => new HookedBackend('slow', { init: () => new Promise((_, reject) => (fail = () => reject(new Error('init failed')))) }));
    registry.register('b', () => new HookedBackend('b'));
    const selecting = registry.select({ backend: ['slow', 'b', 'reference'] as never });
    while (fail === undefined) await new Promise((resolve) => setTimeout(resolve, 1));
    await registry.unregister('b');
    fail();
    const selected = await selecting;
    expect(selected.backend.name).toBe('reference');
    expect(selected.attempts).toEqual([
      { backend: 'slow', reason: 'init failed' },
      { backend: 'b', reason: 'unregistered during selection' },
    ]);
  });

  it('types a registry option that is not a BackendRegistry', async () => {
    expect(await codeOf(() => prepareConv1x1(problem, { registry: { select: () => 1 } as never }))).toBe('INVALID_ARGUMENT');
  });
});

describe('wisdom with lying fields', () => {
  const fingerprint = environmentFingerprint();
  const entry = (over: Record<string, unknown>) => ({
    problem: 'p',
    candidates: ['a', 'b'],
    fingerprint,
    version: POINTWISE_CORE_VERSION,
    choice: 'a',
    medianMs: { a: 1, b: 2 },
    measuredAt: '2024-01-01T00:00:00.000Z',
    ...over,
  });

  it('ignores negative, non-numeric and foreign medians and duplicate candidates, each with its reason', () => {
    const w = new Wisdom(fingerprint);
    const file = {
      format: 'pointwise-wisdom-1',
      entries: [
        entry({ problem: 'neg', medianMs: { a: -1 } }),
        entry({ problem: 'str', medianMs: { a: 'NaN' } }),
        entry({ problem: 'foreign', medianMs: { a: 1, z: 1 } }),
        entry({ problem: 'dup', candidates: ['a', 'a'] }),
        entry({ problem: 'ok' }),
      ],
    };
    const report = w.import(JSON.stringify(file));
    expect(report.accepted).toBe(1);
    expect(report.ignored.map((i) => i.problem)).toEqual(['neg', 'str', 'foreign', 'dup']);
    expect(report.ignored.every((i) => i.reason.startsWith('malformed entry: '))).toBe(true);
    expect(w.lookup('neg', ['a', 'b'])).toBeUndefined();
    expect(w.lookup('ok', ['a', 'b'])?.medianMs).toEqual({ a: 1, b: 2 });
  });

  it('keeps reports short whatever the size of a field', () => {
    const w = new Wisdom(fingerprint);
    const huge = 'x'.repeat(1_000_000);
    const report = w.import(JSON.stringify({ format: 'pointwise-wisdom-1', entries: [entry({ problem: huge, version: huge }), entry({ problem: huge, fingerprint: { ...fingerprint, cpu: huge } })] }));
    expect(report.ignored).toHaveLength(2);
    for (const i of report.ignored) expect(i.problem.length + i.reason.length).toBeLessThan(600);
  });

  it('types a malformed entry given to remember(), and keeps no reference to the caller\u2019s object', async () => {
    const w = new Wisdom(fingerprint);
    expect(await codeOf(() => w.remember({ fingerprint: null } as never))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => w.remember(entry({ choice: 'c' }) as never))).toBe('INVALID_ARGUMENT');
    const mine = entry({});
    w.remember(mine as never);
    (mine.medianMs as Record<string, number>).a = -5;
    (mine.candidates as string[]).push('c');
    expect(w.lookup('p', ['a', 'b'])?.medianMs).toEqual({ a: 1, b: 2 });
  });
});

describe("the measuring planner against hostile candidates", () => {
  it('rejects with DisposedError and disposes every measured operator when the registry is disposed during measurement', async () => {
    const registry = new BackendRegistry();
    const a = new HookedBackend('a');
    let release!: () => void;
    let started!: () => void;
    const inRun = new Promise<void>((resolve) => (started = resolve));
    const b = new HookedBackend('b', {
      onRun: () => {
        started();
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    registry.register('a', () => a, { priority: 2 });
    registry.register('b', () => b, { priority: 1 });
    const preparing = prepareConv1x1(problem, { registry, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()) });
    await inRun;
    await registry.dispose();
    release();
    expect(await codeOf(() => preparing)).toBe('DISPOSED');
    expect(a.disposedOps).toBe(1);
    expect(b.disposedOps).toBe(1);
  });

  it('drops a candidate that writes into its input and keeps the right one (the input is restored for the others)', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    const writer = new HookedBackend('writer', {
      onRun: (_run, _out, x) => {
        x.data[0] += 1;
      },
    });
    registry.register('writer', () => writer, { priority: 5 });
    const op = await prepareConv1x1(problem, { registry, backend: ['writer', 'reference'] as never, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()) });
    expect(op.info.configuration).toBe('reference');
    const report = op.info.selection!.candidates;
    expect(report.find((c) => c.configuration === 'writer')).toMatchObject({ status: 'dropped', reason: 'it wrote into its input (inputs are never to be changed)' });
    expect(report.find((c) => c.configuration === 'reference')?.status).toBe('chosen');
    op.dispose();
  });

  it('drops a candidate that writes nothing, or only on its first run, instead of passing on what an earlier run left there', async () => {
    for (const [name, computes] of [
      ['noop', () => false],
      ['once', (run: number) => run === 1],
    ] as const) {
      const registry = new BackendRegistry();
      registerReferenceBackend(registry);
      registry.register(name, () => new HookedBackend(name, { computes }), { priority: 5 });
      // The reference runs first, so the output holds right values when the lazy candidate's runs begin.
      const op = await prepareConv1x1(problem, { registry, backend: ['reference', name] as never, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()) });
      expect(op.info.configuration, name).toBe('reference');
      expect(op.info.selection!.candidates.find((c) => c.configuration === name), name).toMatchObject({ status: 'dropped', reason: expect.stringMatching(/outside the accuracy bound.*= NaN/) });
      op.dispose();
    }
  });

  it('a candidate that fails sets no threshold for the others: they are still timed in full rounds', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    const failing = new HookedBackend('failing', {
      onRun: (run) => {
        if (run > 2) throw new Error('thread 1 failed');
      },
    });
    registry.register('failing', () => failing, { priority: 5 });
    const op = await prepareConv1x1(problem, { registry, backend: ['failing', 'reference'] as never, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()), measure: { maxRuns: 4 } });
    const report = op.info.selection!.candidates;
    expect(report.find((c) => c.configuration === 'failing')?.status).toBe('dropped');
    expect(report.find((c) => c.configuration === 'reference')).toMatchObject({ status: 'chosen', runs: 4 });
    op.dispose();
  });

  it('measurementInput takes only a Float32Array of the input length, on shared memory when shared', () => {
    const g = normalizeConv1x1(problem).geometry;
    expect(() => measurementInput(g, false, new Float64Array(8) as never)).toThrow(InvalidArgumentError);
    expect(() => measurementInput(g, false, null as never)).toThrow(InvalidArgumentError);
    expect(() => measurementInput(g, false, new Float32Array(7))).toThrow('data: expected a Float32Array of 8 elements, received "7 elements"');
    expect(() => measurementInput(g, true, new Float32Array(8))).toThrow(/on SharedArrayBuffer memory/);
    expect(measurementInput(g, false, new Float32Array(8)).data).toEqual(measurementInput(g).data);
  });

  it('drops a candidate whose result is wrong on some timed runs only, whatever its last run gave', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    // Wrong on every third run: three rounds of an untimed and a timed run (six runs in a row) time one of them.
    const sometimes = new HookedBackend('sometimes', {
      onRun: (run, out) => {
        if (run > 1 && run % 3 === 0) out.data.fill(Number.NaN);
      },
    });
    registry.register('sometimes', () => sometimes, { priority: 5 });
    const op = await prepareConv1x1(problem, { registry, backend: ['sometimes', 'reference'] as never, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()), measure: { maxRuns: 3 } });
    expect(op.info.configuration).toBe('reference');
    const report = op.info.selection!.candidates.find((c) => c.configuration === 'sometimes')!;
    expect(report.status).toBe('dropped');
    // The planner's input (measurementInput); y[0] = x0[0] + 2·x1[0] for these weights [1, 2].
    const x = measurementInput(op.geometry).data;
    expect(report.reason).toBe(`result outside the accuracy bound in a timed run: y[0, 0, 0, 0] = NaN, the reference is ${x[0] + 2 * x[4]}`);
    op.dispose();
  });

  it('drops a candidate whose result is right on the checked run only', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    const flaky = new HookedBackend('flaky', {
      onRun: (run, out) => {
        if (run > 1) out.data.fill(Number.NaN);
      },
    });
    registry.register('flaky', () => flaky, { priority: 5 });
    const op = await prepareConv1x1(problem, { registry, backend: ['flaky', 'reference'] as never, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()), measure: { maxRuns: 2 } });
    expect(op.info.configuration).toBe('reference');
    const flakyReport = op.info.selection!.candidates.find((c) => c.configuration === 'flaky')!;
    expect(flakyReport.status).toBe('dropped');
    expect(flakyReport.reason).toMatch(/accuracy bound/);
    // x = [1..8] NCHW: y[p] = x0[p] + 2·x1[p] = (p+1) + 2·(p+5).
    const y = await op.run({ shape: [1, 2, 2, 2], layout: 'NCHW', data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]) });
    expect([...y.data]).toEqual([11, 14, 17, 20]);
    op.dispose();
  });
});

describe('runResident with objects that only look resident', () => {
  it('checks an object with host data as a host tensor, and types a resident-like object without a shape', async () => {
    const registry = new BackendRegistry();
    const received: unknown[] = [];
    class ResidentBackend extends HookedBackend {
      override async prepare(request: PrepareRequest): Promise<BackendOperator> {
        const op = await super.prepare(request);
        return { ...op, runResident: async (x) => (received.push(x), { backend: 'res', shape: op.geometry.outputShape, layout: 'NCHW', disposed: false, read: async () => { throw new Error('unused'); }, dispose() {} }) };
      }
    }
    registry.register('res', () => new ResidentBackend('res'));
    const op = await prepareConv1x1(problem, { registry, backend: 'res' as never });
    const fakeWithData = { backend: 'res', read: () => {}, disposed: false, shape: [1, 2, 2, 2], layout: 'NCHW', data: new Float32Array(1) };
    expect(await codeOf(() => op.runResident(fakeWithData as never))).toBe('INVALID_TENSOR');
    expect(await codeOf(() => op.runResident({ backend: 'res', read: () => {}, disposed: false } as never))).toBe('INVALID_TENSOR');
    expect(received).toEqual([]);
    op.dispose();
  });
});

describe('inputs found by the second adversarial pass', () => {
  it('parses a 100,000-digit option value in linear time (the number pattern does not backtrack)', async () => {
    // With the old pattern /\d+\.?\d*/ this input took minutes (quadratic backtracking): the test would time out.
    const digits = '1'.repeat(100_000);
    expect(await codeOf(() => parseBackendEntry(`workers[threads=${digits}x]`))).toBe('no error');
    expect(parseBackendEntry(`workers[threads=${digits}x]`)).toEqual({ name: 'workers', options: { threads: `${digits}x` } });
    expect(parseBackendEntry('workers[threads=2.5e1]')).toEqual({ name: 'workers', options: { threads: 25 } });
  });

  it('rejects at prepare a padding whose output no double can count, with a typed error', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    const huge = { inputShape: [1, 1, 1, 1] as const, weights: { data: new Float32Array([1]), shape: [1, 1] }, padding: 2 ** 40 };
    expect(await codeOf(() => prepareConv1x1(huge, { registry }))).toBe('INVALID_ARGUMENT');
  });

  it('types a Proxy of a resident tensor instead of a TypeError from its private state', async () => {
    const registry = new BackendRegistry();
    class Resident {
      readonly backend = 'res';
      readonly layout = 'NCHW';
      readonly #disposed = false;
      constructor(readonly shape: readonly number[]) {}
      get disposed() {
        return this.#disposed;
      }
      async read(): Promise<Tensor> {
        throw new Error('unused');
      }
      dispose() {}
    }
    class ResidentBackend extends HookedBackend {
      override async prepare(request: PrepareRequest): Promise<BackendOperator> {
        const op = await super.prepare(request);
        return { ...op, runResident: async () => new Resident(op.geometry.outputShape) as never };
      }
    }
    registry.register('res', () => new ResidentBackend('res'));
    // 2 → 2 channels so an output can feed the same operator.
    const square = { inputShape: [1, 2, 2, 2] as const, weights: { data: new Float32Array([1, 0, 0, 1]), shape: [2, 2] } };
    const op = await prepareConv1x1(square, { registry, backend: 'res' as never });
    const resident = await op.runResident({ shape: [1, 2, 2, 2], layout: 'NCHW', data: new Float32Array(8) });
    expect(await codeOf(() => op.runResident(new Proxy(resident, {})))).toBe('INVALID_ARGUMENT');
    op.dispose();
  });
});

describe('the operator called the way careless callers call it', () => {
  it('rejects (does not throw) a run called without its operator as this (an unbound op.run), for a synchronous backend', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    const op = await prepareConv1x1({ inputShape: [1, 2, 1, 1], weights: { data: new Float32Array([1, 0, 0, 1]), shape: [2, 2] } }, { registry, backend: 'reference' });
    expect(op.canRunSync).toBe(true);
    const unbound = op.run;
    const x = { shape: [1, 2, 1, 1] as const, layout: 'NCHW' as const, data: new Float32Array([3, 4]) };
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = unbound(x);
    }).not.toThrow();
    await expect(result).rejects.toBeInstanceOf(TypeError);
    // Bound, the same call runs: the identity weights give x back.
    expect(Array.from((await op.run(x)).data)).toEqual([3, 4]);
    op.dispose();
  });
});

describe('inputs found by the third adversarial pass', () => {
  it('types a deeply nested or self-repeating array argument instead of overflowing the stack while describing it', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(await codeOf(() => prepareConv1x1({ ...problem, inputShape: deep as never }, { registry }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => new Wisdom(environmentFingerprint()).import(`{"format":"pointwise-wisdom-1","entries":[{"medianMs":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}]}`))).toBe('no error');
    // Eight references to one array per level, 30 levels: 8^30 leaves if listed recursively.
    let wide: unknown = [1];
    for (let i = 0; i < 30; i++) wide = Array(8).fill(wide);
    const error = await prepareConv1x1({ ...problem, inputShape: wide as never }, { registry }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toContain('[Array(length 8), Array(length 8), Array(length 8), Array(length 8), Array(length 8), Array(length 8), Array(length 8), Array(length 8)]');
    // Two listed levels of eight: about 64 summaries, not 8^30.
    expect((error as Error).message.length).toBeLessThan(2000);
  });

  it('rejects at once an object entry with an option key the string form cannot spell, naming the key', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    registry.register('cap', () => new HookedBackend('cap'));
    for (const key of ['a b', '', '1x', '__proto__', 'x-y']) {
      const entry = JSON.parse(`{"name":"cap",${JSON.stringify(key)}:1}`) as never;
      // Was accepted here, and failed only at selection with a message about "cap[a b=1]", a string never written.
      const error = await prepareConv1x1(problem, { registry, backend: entry }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).received).toBe(key);
      expect(() => registry.candidates({ backend: entry })).toThrow(InvalidArgumentError);
    }
    expect(registry.candidates({ backend: { name: 'cap', workerUrl: 'a b' } as never })).toEqual(['cap[workerUrl=a b]']);
  });

  it('rejects an option given to the reference backend, which has none (a misspelt key ran as a second reference backend)', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    for (const backend of ['reference[therads=2]', { name: 'reference', x: 1 }]) {
      const error = await prepareConv1x1(problem, { registry, backend: backend as never }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).parameter).toMatch(/^options\.(therads|x)$/);
    }
    expect(() => registry.candidates({ env: { POINTWISE_BACKEND: 'reference[x=1]' } })).toThrow(/POINTWISE_BACKEND: reference\[x=1\]: options\.x/);
    expect(registry.candidates({ backend: 'reference' })).toEqual(['reference']);
  });

  it('checks a wisdom entry in reads linear in its candidates and medians (a 1.2 MB file of 60,000 took 5 s)', () => {
    const n = 2000;
    const names = Array.from({ length: n }, (_, i) => `c${i}`);
    let reads = 0;
    // Counts every element read of the candidate list.
    const candidates = new Proxy(names, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const wisdom = new Wisdom(environmentFingerprint());
    wisdom.remember({
      problem: 'p',
      candidates,
      fingerprint: wisdom.fingerprint,
      version: POINTWISE_CORE_VERSION,
      choice: `c${n - 1}`,
      medianMs: Object.fromEntries(names.map((c) => [c, 1])),
      measuredAt: '',
    });
    expect(wisdom.lookup('p', names)?.choice).toBe(`c${n - 1}`);
    // Was about n²/2 = 2,000,000 (a linear search of the list per median).
    expect(reads).toBeLessThan(10 * n);
  });

  it('prints configurations and received strings with control characters escaped, and reads them back the same', async () => {
    const registry = new BackendRegistry();
    const validate = (o: Readonly<Record<string, unknown>>) => {
      if (o.label !== undefined && o.label !== 'ok') throw new InvalidArgumentError('options.label', '"ok"', o.label);
    };
    registry.register('cap', () => new HookedBackend('cap'), { validate });
    for (const label of ['\u001b[2J', 'a\u009bb', 'x\u007f', '\u0000']) {
      const text = formatBackendEntry({ name: 'cap', options: { label } });
      // Was bare: `cap[label=\u001b[2J]` cleared the terminal that printed it.
      expect(text, JSON.stringify(label)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      expect(parseBackendEntry(text).options.label).toBe(label);
      const error = await prepareConv1x1(problem, { registry, backend: { name: 'cap', label } as never }).catch((e: unknown) => e);
      expect((error as Error).message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      expect(() => registry.candidates({ env: { POINTWISE_BACKEND: text } })).toThrow(InvalidArgumentError);
      try {
        registry.candidates({ env: { POINTWISE_BACKEND: text } });
      } catch (e) {
        expect((e as Error).message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      }
    }
  });

  it('types a preference list with holes instead of a TypeError', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    // Holes at the start, at the end, everywhere: forEach and map skip them, for…of reads undefined.
    const lists = [Object.assign([], { 1: 'reference', length: 2 }), Object.assign(['reference'], { length: 2 }), new Array(3)];
    for (const backend of lists) {
      expect(await codeOf(() => prepareConv1x1(problem, { registry, backend: backend as never }))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(() => registry.candidates({ backend: backend as never }))).toBe('INVALID_ARGUMENT');
    }
  });
});
