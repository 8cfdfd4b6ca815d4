import { describe, expect, it } from 'vitest';
import {
  BACKEND_API_VERSION,
  BackendRegistry,
  InvalidArgumentError,
  InvalidTensorError,
  ReferenceBackend,
  ShapeMismatchError,
  createTensor,
  formatBackendEntry,
  parseBackendEntry,
  parseBackendList,
  prepareConv1x1,
  referenceConv1x1,
  registerReferenceBackend,
  weightsFromHWIO,
  weightsFromOIHW,
  type Availability,
  type Backend,
  type BackendAttempt,
  type PrepareRequest,
} from '../src/index.js';

/** A backend that remembers the options it was created with and reports them in its info. */
class ConfiguredBackend implements Backend {
  readonly apiVersion = BACKEND_API_VERSION;
  constructor(
    readonly name: string,
    readonly options: Readonly<Record<string, unknown>>,
  ) {}
  async probe(): Promise<Availability> {
    return this.options.mode === 'missing' ? { available: false, reason: 'mode missing is not here' } : { available: true };
  }
  async init() {}
  capabilities() {
    return new ReferenceBackend().capabilities();
  }
  async prepare(request: PrepareRequest) {
    const op = await new ReferenceBackend().prepare(request);
    return { ...op, info: { backend: this.name, details: { mode: String(this.options.mode ?? 'default'), threads: Number(this.options.threads ?? 1) } } };
  }
  async dispose() {}
}

function registry() {
  const r = new BackendRegistry();
  registerReferenceBackend(r);
  r.register('fake', (options) => new ConfiguredBackend('fake', options), {
    priority: 10,
    options: { threads: 2 },
    shorthand: 'mode',
    presets: { wide: { threads: 16 } },
    validate: (options) => {
      for (const key of Object.keys(options)) if (!['mode', 'threads'].includes(key)) throw new InvalidArgumentError(`fake.${key}`, 'mode or threads', key);
      if (options.threads !== undefined && (typeof options.threads !== 'number' || options.threads < 1)) throw new InvalidArgumentError('fake.threads', 'an integer ≥ 1', options.threads);
    },
  });
  return r;
}

const problem = { inputShape: [1, 2, 1, 2] as const, weights: { data: Float32Array.of(1, 2, 3, 4), shape: [2, 2] } };

describe('the selection syntax (one parser for lists, POINTWISE_BACKEND and the CLIs)', () => {
  it('parses names, shorthand values, key=value options and lists with commas inside brackets', () => {
    expect(parseBackendEntry('cpu-tiled')).toEqual({ name: 'cpu-tiled', options: {} });
    expect(parseBackendEntry('gpujs[webgl2]')).toEqual({ name: 'gpujs', options: {}, words: ['webgl2'] });
    expect(parseBackendEntry('workers[js, pool, threads=3]')).toEqual({ name: 'workers', options: { threads: 3 }, words: ['js', 'pool'] });
    expect(parseBackendEntry('workers[threads=4, kernel=js, callerComputes=false]')).toEqual({
      name: 'workers',
      options: { threads: 4, kernel: 'js', callerComputes: false },
    });
    expect(parseBackendList('gpujs[webgl2],workers[threads=4,kernel=js], cpu-tiled').map((e) => e.name)).toEqual(['gpujs', 'workers', 'cpu-tiled']);
    expect(formatBackendEntry({ name: 'workers', options: { threads: 4, kernel: 'js' } })).toBe('workers[kernel=js,threads=4]');
    expect(parseBackendEntry(formatBackendEntry({ name: 'w', options: { b: true, a: 2.5 } }))).toEqual({ name: 'w', options: { a: 2.5, b: true } });
  });

  it('rejects malformed entries with InvalidArgumentError', () => {
    for (const bad of ['', 'a[', 'a]', 'a[b]c', 'a[[b]]', 'a[x=1,x=2]', 'a[p,p]', 'a[]', 'a b']) {
      expect(() => parseBackendList(bad), bad).toThrow(InvalidArgumentError);
    }
    expect(() => parseBackendEntry({ name: 3 })).toThrow(InvalidArgumentError);
    expect(() => parseBackendList('  ')).toThrow('backend: expected at least one backend, received "  "');
  });

  it('rejects an empty entry (",,", a leading or a trailing comma) with InvalidArgumentError naming its entry and commas', () => {
    const cases: [string, string][] = [
      ['cpu-tiled,,workers', 'entry 2 of 3, found an empty entry (commas at characters 10 and 11 with nothing between)'],
      [',cpu-tiled', 'entry 1 of 2, found an empty entry (a leading comma at character 1)'],
      ['cpu-tiled,', 'entry 2 of 2, found an empty entry (a trailing comma at character 10)'],
      ['gpujs[webgl2,x=1] , ', 'entry 2 of 2, found an empty entry (a trailing comma at character 19)'],
      [' , ', 'entry 1 of 2, found an empty entry (a leading comma at character 2)'],
    ];
    for (const [text, where] of cases) {
      let caught: unknown;
      try {
        parseBackendList(text, 'POINTWISE_BACKEND');
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(InvalidArgumentError);
      const error = caught as InvalidArgumentError;
      expect(error.parameter).toBe('POINTWISE_BACKEND');
      expect(error.received).toBe(text);
      expect(error.message).toBe(`POINTWISE_BACKEND: expected a backend name at entry ${where.replace(/^entry /, '')}, received ${JSON.stringify(text)}`);
    }
    // Commas inside brackets or quotes are not entry separators, so they are never empty entries.
    expect(parseBackendList('workers[threads=4,kernel=js],gpujs[x=","]').map((e) => e.name)).toEqual(['workers', 'gpujs']);
    // The same through the registry's POINTWISE_BACKEND, before any backend is looked up.
    expect(() => registry().candidates({ env: { POINTWISE_BACKEND: 'reference,' } })).toThrow(/^POINTWISE_BACKEND: expected a backend name at entry 2 of 2, found an empty entry \(a trailing comma at character 10\)/);
    expect(() => parseBackendEntry({ name: 'x', threads: {} })).toThrow(/x|threads/);
  });

  it('per-entry options reach the backend, from a list, an object and POINTWISE_BACKEND; each configuration is its own backend', async () => {
    const r = registry();
    const a = await prepareConv1x1(problem, { registry: r, backend: 'fake[webgl2]' as never });
    expect(a.info.details).toMatchObject({ mode: 'webgl2', threads: 2 });
    expect(a.info.configuration).toBe('fake[mode=webgl2]');
    const b = await prepareConv1x1(problem, { registry: r, backend: [{ name: 'fake', threads: 4 } as never] });
    expect(b.info.details).toMatchObject({ mode: 'default', threads: 4 });
    const c = await prepareConv1x1(problem, { registry: r, env: { POINTWISE_BACKEND: 'fake[mode=x,threads=3],reference' } });
    expect(c.info.details).toMatchObject({ mode: 'x', threads: 3 });
    const x = createTensor(Float32Array.of(1, 2, 3, 4), [1, 2, 1, 2]);
    const expected = Array.from(referenceConv1x1(a.geometry, x.data, problem.weights.data, null).values);
    for (const op of [a, b, c]) expect(Array.from((await op.run(x)).data)).toEqual(expected);
  });

  it('bracketed words resolve to presets and the shorthand; key=value wins over a preset', async () => {
    const r = registry();
    expect(r.candidates({ backend: 'fake[wide]' as never })).toEqual(['fake[threads=16]']);
    expect(r.candidates({ backend: 'fake[x,wide]' as never })).toEqual(['fake[mode=x,threads=16]']);
    expect(r.candidates({ backend: 'fake[wide,threads=3]' as never })).toEqual(['fake[threads=3]']);
    expect(() => r.candidates({ backend: 'fake[x,y]' as never })).toThrow(/presets wide/);
    const op = await prepareConv1x1(problem, { registry: r, backend: 'fake[wide]' as never });
    expect(op.info.details.threads).toBe(16);
  });

  it('bad per-entry options are InvalidArgumentErrors before anything runs, not an unavailable backend', async () => {
    const r = registry();
    await expect(prepareConv1x1(problem, { registry: r, backend: 'fake[threads=0]' as never })).rejects.toThrow(/fake\.threads/);
    await expect(prepareConv1x1(problem, { registry: r, backend: [{ name: 'fake', therads: 4 } as never, 'reference'] })).rejects.toThrow(/therads/);
    await expect(prepareConv1x1(problem, { registry: r, backend: 'reference[x]' as never })).rejects.toThrow(/key=value options/);
  });

  it('fallback is visible: op.info.attempts and onFallback list every skipped configuration with its reason', async () => {
    const r = registry();
    const seen: BackendAttempt[] = [];
    const op = await prepareConv1x1(problem, { registry: r, backend: ['fake[missing]' as never, 'reference'], onFallback: (a) => seen.push(a) });
    expect(op.backend).toBe('reference');
    expect(op.info.attempts).toEqual([{ backend: 'fake[mode=missing]', reason: 'mode missing is not here' }]);
    expect(seen).toEqual(op.info.attempts);
    const first = await prepareConv1x1(problem, { registry: r, backend: 'reference' });
    expect(first.info.attempts).toEqual([]);
  });

  it('selection options are validated like problem options', async () => {
    const r = registry();
    await expect(prepareConv1x1(problem, { registry: r, backends: ['fake'] } as never)).rejects.toThrow(/options\.backends/);
    await expect(prepareConv1x1(problem, { registry: r, backend: 123 } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(prepareConv1x1(problem, { registry: r, backend: null } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(prepareConv1x1(problem, { registry: r, backend: [] } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(prepareConv1x1(problem, { registry: r, strict: 'yes' } as never)).rejects.toThrow(/options\.strict/);
    await expect(prepareConv1x1(problem, { registry: r, onFallback: 1 } as never)).rejects.toThrow(/onFallback/);
    await expect(prepareConv1x1(problem, { registry: {} } as never)).rejects.toThrow(/options\.registry/);
  });

  it('a second registration with other options is a typed error unless replace is set; the same options return false', async () => {
    const r = registry();
    const factory = (options: Readonly<Record<string, unknown>>) => new ConfiguredBackend('fake', options);
    expect(r.register('fake', factory, { options: { threads: 2 } })).toBe(false);
    expect(() => r.register('fake', factory, { options: { threads: 8 } })).toThrow(/replace: true/);
    expect(r.register('fake', factory, { options: { threads: 8 }, replace: true })).toBe(true);
    const op = await prepareConv1x1(problem, { registry: r, backend: 'fake' as never });
    expect(op.info.details.threads).toBe(8);
    expect(() => r.register('other', factory, { prority: 1 } as never)).toThrow(/options\.prority/);
  });
});

describe('errors a person can act on', () => {
  it('a number[] of 1.6 M values: a short message that says to use a Float32Array', async () => {
    const op = await prepareConv1x1({ inputShape: [1, 1, 1000, 1600], weights: { data: Float32Array.of(1), shape: [1, 1] } }, { backend: 'reference' });
    const data = Array.from({ length: 1_600_000 }, (_, i) => i);
    const error = (await op.run({ shape: [1, 1, 1000, 1600], layout: 'NCHW', data } as never).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(InvalidTensorError);
    expect(error.message.length).toBeLessThan(300);
    expect(error.message).toMatch(/new Float32Array/);
    expect(error.message).toMatch(/Array\(length 1600000\) \[0, 1, 2/);
  });

  it('TF.js-layout weights [1, 1, 32, 64] get a hint, and weightsFromHWIO converts them', async () => {
    const hwio = new Float32Array(32 * 64).map((_, i) => i);
    const error = (await prepareConv1x1({ inputShape: [1, 32, 2, 2], weights: { data: hwio, shape: [1, 1, 32, 64] } }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ShapeMismatchError);
    expect(error.message).toMatch(/\[Co, Ci\/groups\].*weightsFromHWIO/);
    const converted = weightsFromHWIO(hwio, [1, 1, 32, 64]);
    expect(converted.shape).toEqual([64, 32]);
    // Pointwise [co, k] equals HWIO [0, 0, k, co] = k·64 + co.
    expect(converted.data[5 * 32 + 7]).toBe(7 * 64 + 5);
    const op = await prepareConv1x1({ inputShape: [1, 32, 2, 2], weights: converted }, { backend: 'reference' });
    expect(op.geometry.outChannels).toBe(64);
    expect(weightsFromOIHW(Float32Array.of(1, 2, 3, 4), [2, 2, 1, 1])).toEqual({ data: Float32Array.of(1, 2, 3, 4), shape: [2, 2] });
    expect(() => weightsFromHWIO(hwio, [3, 1, 32, 64])).toThrow(InvalidArgumentError);
  });

  it('error names are explicit strings (they survive minification) and match the stable code', () => {
    const error = new InvalidArgumentError('p', 'x', 1);
    expect(error.name).toBe('InvalidArgumentError');
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(String(error)).toMatch(/^InvalidArgumentError: p: expected x, received 1$/);
  });
});

describe('resolving entries for display', () => {
  it('resolve gives the canonical configuration and a short name that reads back to it', () => {
    const r = registry();
    const wide = r.resolve('fake[threads=16,mode=x]');
    expect(wide).toEqual({ name: 'fake', options: { mode: 'x', threads: 16 }, configuration: 'fake[mode=x,threads=16]', shortName: 'fake[x,wide]' });
    expect(r.resolve(wide.shortName).configuration).toBe(wide.configuration);
    expect(r.resolve({ name: 'fake', threads: 3 }).shortName).toBe('fake[threads=3]');
    expect(r.resolve('reference').shortName).toBe('reference');
    expect(() => r.resolve('fake[threads=0]', '--backends')).toThrow(/fake\.threads/);
    expect(() => r.resolve('nope', '--backends')).toThrow(/^--backends: expected one of/);
    expect(formatBackendEntry(parseBackendEntry('gpujs[webgl2,x=1]'))).toBe('gpujs[webgl2,x=1]');
  });
});
