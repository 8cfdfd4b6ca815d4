import { describe, expect, it } from 'vitest';
import {
  BACKEND_API_VERSION,
  BackendRegistry,
  BackendUnavailableError,
  ReferenceBackend,
  UnknownBackendError,
  conv1x1,
  createTensor,
  getDefaultRegistry,
  prepareConv1x1,
  type Availability,
  type Backend,
  type PrepareRequest,
} from '../src/index.js';

/** A test backend: computes with the reference, but under its own name and with scripted failures. */
class FakeBackend implements Backend {
  readonly apiVersion = BACKEND_API_VERSION;
  inits = 0;
  readonly #reference = new ReferenceBackend();
  constructor(
    readonly name: string,
    private readonly behaviour: { unavailable?: string; initFails?: string; prepareFails?: string } = {},
  ) {}
  async probe(): Promise<Availability> {
    return this.behaviour.unavailable ? { available: false, reason: this.behaviour.unavailable } : { available: true };
  }
  async init() {
    this.inits++;
    if (this.behaviour.initFails) throw new Error(this.behaviour.initFails);
  }
  capabilities() {
    return this.#reference.capabilities();
  }
  async prepare(request: PrepareRequest) {
    if (this.behaviour.prepareFails) throw new Error(this.behaviour.prepareFails);
    const op = await this.#reference.prepare(request);
    return { ...op, run: op.run, runSync: op.runSync, dispose: op.dispose, info: { backend: this.name, details: {} } };
  }
  async dispose() {}
}

const problem = {
  inputShape: [1, 2, 1, 2] as const,
  weights: { data: Float32Array.of(1, 2, 3, 4), shape: [2, 2] },
};

describe('BackendRegistry', () => {
  it('automatic selection takes the highest priority; negative priority only by name', async () => {
    const r = new BackendRegistry();
    r.register('low', () => new FakeBackend('low'), { priority: 1 });
    r.register('high', () => new FakeBackend('high'), { priority: 10 });
    r.register('hidden', () => new FakeBackend('hidden'), { priority: -1 });
    expect(r.names()).toEqual(['high', 'low', 'hidden']);
    expect(r.candidates({ env: {} })).toEqual(['high', 'low']);
    expect((await r.select({ env: {} })).backend.name).toBe('high');
    expect((await r.select({ backend: 'hidden' })).backend.name).toBe('hidden');
  });

  it('falls back past unavailable and failing backends, keeping each reason', async () => {
    const r = new BackendRegistry();
    r.register('gpu', () => new FakeBackend('gpu', { unavailable: 'no GPU here' }), { priority: 3 });
    r.register('broken', () => new FakeBackend('broken', { initFails: 'init exploded' }), { priority: 2 });
    r.register('ok', () => new FakeBackend('ok'), { priority: 1 });
    const { backend, attempts } = await r.select({ env: {} });
    expect(backend.name).toBe('ok');
    expect(attempts).toEqual([
      { backend: 'gpu', reason: 'no GPU here' },
      { backend: 'broken', reason: 'init exploded' },
    ]);
    const listing = await r.list();
    expect(listing.map((l) => [l.name, l.available, l.reason ?? null, l.initialized])).toEqual([
      ['gpu', false, 'no GPU here', false],
      ['broken', false, 'init exploded', false],
      ['ok', true, null, true],
    ]);
  });

  it('strict throws with the first choice’s reason instead of falling back', async () => {
    const r = new BackendRegistry();
    r.register('broken', () => new FakeBackend('broken', { initFails: 'init exploded' }), { priority: 2 });
    r.register('ok', () => new FakeBackend('ok'), { priority: 1 });
    const error = await r.select({ backend: ['broken', 'ok'], strict: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).attempts).toEqual([{ backend: 'broken', reason: 'init exploded' }]);
    expect((error as Error).message).toBe('the requested backend is not available (broken: init exploded)');
  });

  it('when nothing works, one error lists every attempt', async () => {
    const r = new BackendRegistry();
    r.register('a', () => new FakeBackend('a', { unavailable: 'reason A' }));
    r.register('b', () => new FakeBackend('b', { initFails: 'reason B' }));
    await expect(r.select({ env: {} })).rejects.toThrow(/a: reason A; b: reason B/);
  });

  it('initialises each backend once, and remembers a failed init', async () => {
    const good = new FakeBackend('good');
    const bad = new FakeBackend('bad', { initFails: 'nope' });
    const r = new BackendRegistry();
    r.register('good', () => good);
    r.register('bad', () => bad);
    await Promise.all([r.get('good'), r.get('good'), r.select({ backend: 'good' })]);
    expect(good.inits).toBe(1);
    await expect(r.get('bad')).rejects.toThrow(BackendUnavailableError);
    await expect(r.get('bad')).rejects.toThrow(/nope/);
    expect(bad.inits).toBe(1);
  });

  it('reads POINTWISE_BACKEND as a preference list; unknown names fail before anything runs', async () => {
    const r = new BackendRegistry();
    const first = new FakeBackend('first');
    r.register('first', () => first, { priority: 5 });
    r.register('second', () => new FakeBackend('second'), { priority: 1 });
    expect((await r.select({ env: { POINTWISE_BACKEND: 'second, first' } })).backend.name).toBe('second');
    await expect(r.select({ env: { POINTWISE_BACKEND: 'nonesuch,first' } })).rejects.toThrow(UnknownBackendError);
    await expect(r.select({ env: { POINTWISE_BACKEND: 'nonesuch' } })).rejects.toThrow(/^POINTWISE_BACKEND: expected one of "first", "second", received "nonesuch"$/);
    expect(first.inits).toBe(0);
  });

  it('a second registration under a taken name is refused and keeps the first', () => {
    const r = new BackendRegistry();
    expect(r.register('x', () => new FakeBackend('x'))).toBe(true);
    expect(r.register('x', () => new FakeBackend('other'))).toBe(false);
  });

  it('the default registry is one per process and holds the reference backend', () => {
    expect(getDefaultRegistry()).toBe(getDefaultRegistry());
    expect(getDefaultRegistry().names()).toContain('reference');
  });
});

describe('prepareConv1x1 and conv1x1 report which backend ran', () => {
  it('falls back when prepare fails, and the operator names the backend that ran', async () => {
    const r = new BackendRegistry();
    r.register('fragile', () => new FakeBackend('fragile', { prepareFails: 'texture too large' }), { priority: 2 });
    r.register('sturdy', () => new FakeBackend('sturdy'), { priority: 1 });
    const op = await prepareConv1x1(problem, { registry: r, env: {} });
    expect(op.backend).toBe('sturdy');
    expect(op.info.backend).toBe('sturdy');
    const y = await op.run(createTensor(Float32Array.of(1, 2, 3, 4), [1, 2, 1, 2]));
    // y[0] = 1·1 + 2·3 = 7, 1·2 + 2·4 = 10; y[1] = 3·1 + 4·3 = 15, 3·2 + 4·4 = 22
    expect(Array.from(y.data)).toEqual([7, 10, 15, 22]);
    await expect(prepareConv1x1(problem, { registry: r, backend: 'fragile', strict: true })).rejects.toThrow(
      /fragile: prepare failed: texture too large/,
    );
  });

  it('conv1x1 returns the output with the backend that computed it', async () => {
    const r = new BackendRegistry();
    r.register('only', () => new FakeBackend('only'));
    const x = createTensor(Float32Array.of(1, 2, 3, 4), [1, 2, 1, 2]);
    const result = await conv1x1(x, { weights: problem.weights }, { registry: r, env: {} });
    expect(result.info.backend).toBe('only');
    expect(Array.from(result.output.data)).toEqual([7, 10, 15, 22]);
  });
});
