import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BACKEND_API_VERSION,
  BackendCapacityError,
  BackendRegistry,
  InvalidArgumentError,
  InvalidTensorError,
  PointwiseError,
  ReferenceBackend,
  createTensor,
  mayShareMemory,
  paddedCellValues,
  prepareConv1x1,
  referenceConv1x1,
  registerReferenceBackend,
  zerosTensor,
  type Availability,
  type Backend,
  type BackendOperator,
  type PrepareRequest,
  type Tensor,
} from '../src/index.js';

/**
 * A backend that streams: for each output element in memory order it reads
 * `x` directly and writes `out` at once (the access pattern of a tiled kernel
 * that reads its input tile by tile), so an undetected overlap of `x` and
 * `out` changes its result.
 */
class StreamingBackend implements Backend {
  readonly name = 'streaming';
  readonly apiVersion = BACKEND_API_VERSION;
  async probe(): Promise<Availability> {
    return { available: true };
  }
  async init() {}
  capabilities() {
    return new ReferenceBackend().capabilities();
  }
  async prepare(request: PrepareRequest): Promise<BackendOperator> {
    const g = request.geometry;
    const w = request.weights.slice();
    // Same-size NCHW depthwise scaling keeps the index map simple: out[i] = w[c]·x[i].
    const plane = g.inHeight * g.inWidth;
    const runSync = (x: Tensor, out: Tensor) => {
      for (let i = 0; i < out.data.length; i++) out.data[i] = w[Math.floor(i / plane) % g.outChannels] * x.data[i];
    };
    return { geometry: g, info: { backend: this.name, details: {} }, runSync, run: async (x, out) => runSync(x, out), dispose() {} };
  }
  async dispose() {}
}

/** A backend whose init or prepare waits for a gate the test opens (or never does). */
class GatedBackend implements Backend {
  readonly apiVersion = BACKEND_API_VERSION;
  inits = 0;
  disposals = 0;
  initGate: Promise<void> = Promise.resolve();
  prepareGate: Promise<void> = Promise.resolve();
  constructor(readonly name: string, private readonly initFailure?: string) {}
  async probe(): Promise<Availability> {
    return { available: true };
  }
  async init() {
    this.inits++;
    await this.initGate;
    if (this.initFailure) throw new Error(this.initFailure);
  }
  capabilities() {
    return new ReferenceBackend().capabilities();
  }
  async prepare(request: PrepareRequest) {
    await this.prepareGate;
    const op = await new ReferenceBackend().prepare(request);
    return { ...op, info: { backend: this.name, details: {} } };
  }
  async dispose() {
    this.disposals++;
  }
}

const never = new Promise<void>(() => {});
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

describe('item 3: overlap through distinct SharedArrayBuffer objects', () => {
  const channels = 8;
  const side = 32;
  const weights = { data: new Float32Array(channels).fill(0.5), shape: [channels, 1] };

  it('a grown shared WebAssembly.Memory: x before the grow, out after it, 1024 bytes apart, computes as if x were read first', async () => {
    const registry = new BackendRegistry();
    registry.register('streaming', () => new StreamingBackend());
    const op = await prepareConv1x1({ inputShape: [1, channels, side, side], weights, groups: channels }, { registry, backend: 'streaming' });
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    const count = channels * side * side;
    const before = memory.buffer;
    const x = new Float32Array(before, 0, count);
    for (let i = 0; i < count; i++) x[i] = i + 1;
    const expected = Float32Array.from(x, (v) => v * 0.5);
    memory.grow(1);
    const out = new Float32Array(memory.buffer, 1024, count);
    expect(mayShareMemory(x, out)).toBe(true);
    await op.run(createTensor(x, [1, channels, side, side]), createTensor(out, [1, channels, side, side]));
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('a SharedArrayBuffer passed through structured clone (as by postMessage) is an alias as well', async () => {
    const registry = new BackendRegistry();
    registry.register('streaming', () => new StreamingBackend());
    const op = await prepareConv1x1({ inputShape: [1, channels, side, side], weights, groups: channels }, { registry, backend: 'streaming' });
    const count = channels * side * side;
    const buffer = new SharedArrayBuffer((count + 256) * 4);
    const x = new Float32Array(buffer, 0, count).map((_, i) => i - 100);
    const expected = Float32Array.from(x, (v) => v * 0.5);
    const out = new Float32Array(structuredClone(buffer), 1024, count);
    await op.run(createTensor(x, [1, channels, side, side]), createTensor(out, [1, channels, side, side]));
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('mayShareMemory: provable cases stay disjoint (distinct ArrayBuffers, shared tensors Pointwise allocated, separate ranges)', () => {
    expect(mayShareMemory(new Float32Array(4), new Float32Array(4))).toBe(false);
    expect(mayShareMemory(zerosTensor([1, 1, 2, 2], 'NCHW', true).data, zerosTensor([1, 1, 2, 2], 'NCHW', true).data)).toBe(false);
    const sab = new SharedArrayBuffer(64);
    expect(mayShareMemory(new Float32Array(sab, 0, 4), new Float32Array(sab, 16, 4))).toBe(false);
    expect(mayShareMemory(new Float32Array(sab, 0, 5), new Float32Array(sab, 16, 4))).toBe(true);
    expect(mayShareMemory(new Float32Array(sab), new Float32Array(new SharedArrayBuffer(64)))).toBe(true);
  });
});

describe('item 5 and 6: registry lifecycle as a state machine', () => {
  it('dispose() during the first init: the stale init cannot poison the next life, which initialises afresh', async () => {
    const made: GatedBackend[] = [];
    const registry = new BackendRegistry();
    registry.register('gated', () => {
      const b = new GatedBackend('gated', made.length === 0 ? 'used after dispose()' : undefined);
      let open!: () => void;
      if (made.length === 0) b.initGate = new Promise((r) => (open = r));
      made.push(b);
      (b as unknown as { open?: () => void }).open = open;
      return b;
    });
    const pending = registry.select({ backend: 'gated' });
    await tick();
    await registry.dispose();
    await expect(pending).rejects.toMatchObject({ code: 'DISPOSED' });
    // The first life's init now fails late; that must not mark the backend unavailable.
    (made[0] as unknown as { open: () => void }).open();
    await tick();
    expect((await registry.list())[0]).toMatchObject({ name: 'gated', available: true });
    const selected = await registry.select({ backend: 'gated' });
    expect(selected.backend).toBe(made[1]);
    expect(made[1].inits).toBe(1);
  });

  it('an init that never settles: dispose() settles the pending selection and prepare with DisposedError', async () => {
    const registry = new BackendRegistry();
    registry.register('stuck', () => Object.assign(new GatedBackend('stuck'), { initGate: never }));
    const pending = prepareConv1x1({ inputShape: [1, 1, 1, 1], weights: { data: Float32Array.of(1), shape: [1, 1] } }, { registry, backend: 'stuck' });
    await tick();
    await registry.dispose();
    await expect(pending).rejects.toMatchObject({ code: 'DISPOSED', name: 'DisposedError' });
  });

  it('a prepare that never settles: dispose() rejects it, and a late operator is disposed', async () => {
    const registry = new BackendRegistry();
    let backend!: GatedBackend;
    registry.register('slow', () => (backend = Object.assign(new GatedBackend('slow'), { prepareGate: never })));
    const pending = prepareConv1x1({ inputShape: [1, 1, 1, 1], weights: { data: Float32Array.of(1), shape: [1, 1] } }, { registry, backend: 'slow' });
    await tick();
    await registry.dispose();
    await expect(pending).rejects.toMatchObject({ code: 'DISPOSED' });
    expect(backend.disposals).toBeGreaterThanOrEqual(1);
  });

  it('random interleavings of select / prepare / run / dispose agree with a model (seeded)', async () => {
    let seed = 12345;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const registry = new BackendRegistry();
    const backends: GatedBackend[] = [];
    registry.register('a', () => {
      const b = new GatedBackend('a');
      b.initGate = tick();
      backends.push(b);
      return b;
    });
    const problem = { inputShape: [1, 2, 1, 2] as const, weights: { data: Float32Array.of(1, 2, 3, 4), shape: [2, 2] } };
    const x = createTensor(Float32Array.of(1, -1, 2, 0.5), [1, 2, 1, 2]);
    const expected = referenceConv1x1(
      (await prepareConv1x1(problem, { backend: 'reference' })).geometry,
      x.data,
      problem.weights.data,
      null,
    ).values;
    const pending: Promise<unknown>[] = [];
    for (let step = 0; step < 60; step++) {
      const r = random();
      if (r < 0.5) {
        pending.push(
          prepareConv1x1(problem, { registry, backend: 'a' }).then(
            async (op) => {
              // Model: a prepared operator computes the reference result until disposed.
              const out = await op.run(x);
              expect(Array.from(out.data)).toEqual(Array.from(expected, Math.fround));
              op.dispose();
            },
            (error: unknown) => {
              // Model: the only way a prepare may fail here is a dispose() racing it.
              expect(PointwiseError.isInstance(error) && error.code).toBe('DISPOSED');
            },
          ),
        );
      } else if (r < 0.7) {
        pending.push(registry.dispose());
      }
      if (random() < 0.3) await tick();
    }
    await Promise.all(pending);
    // After any history, the registry still works and the backend is available.
    const op = await prepareConv1x1(problem, { registry, backend: 'a' });
    expect(op.backend).toBe('a');
    expect((await registry.list())[0].available).toBe(true);
  });
});

describe('item 9: padded cells go through the arithmetic', () => {
  it('NCHW [1,2,2,2], padding 1, weights [∞, 0] and bias 1: the 12 border cells of that channel are NaN', async () => {
    const problem = {
      inputShape: [1, 2, 2, 2] as const,
      weights: { data: Float32Array.of(Infinity, 0, 1, 1), shape: [2, 2] },
      bias: Float32Array.of(1, 1),
      padding: 1,
    };
    const op = await prepareConv1x1(problem, { backend: 'reference' });
    const out = await op.run(createTensor(new Float32Array(8).fill(1), [1, 2, 2, 2]));
    const channel0 = Array.from(out.data.subarray(0, 16));
    const border = channel0.filter((_, i) => [0, 3].includes(i % 4) || i < 4 || i >= 12);
    expect(border).toHaveLength(12);
    expect(border.every(Number.isNaN)).toBe(true);
    // Interior: ∞·1 + 0·1 + 1 = ∞; the other channel's border is act(1) = 1.
    expect([channel0[5], channel0[6], channel0[9], channel0[10]]).toEqual([Infinity, Infinity, Infinity, Infinity]);
    expect(out.data[16]).toBe(1);
    expect(Array.from(paddedCellValues(op.geometry, problem.weights.data, problem.bias))).toEqual([NaN, 1]);
  });
});

describe('item 11: mutable or lying objects', () => {
  const problem = { inputShape: [1, 2, 1, 2] as const, weights: { data: Float32Array.of(1, 2, 3, 4), shape: [2, 2] }, activation: { type: 'clamp' as const, min: -1, max: 100 } };

  it('the geometry and info are frozen: mutating them throws and cannot change later results', async () => {
    const op = await prepareConv1x1(problem, { backend: 'reference' });
    const x = createTensor(Float32Array.of(1, 2, 3, 4), [1, 2, 1, 2]);
    const first = Array.from((await op.run(x)).data);
    expect(() => ((op.geometry.activation as { max: number }).max = -1000)).toThrow(TypeError);
    expect(() => ((op.geometry.outputShape as unknown as number[])[2] = 1)).toThrow(TypeError);
    expect(() => ((op.info.details as Record<string, unknown>).kernel = 'x')).toThrow(TypeError);
    expect(Array.from((await op.run(x)).data)).toEqual(first);
    expect(first).toEqual([7, 10, 15, 22]);
  });

  it('a Proxy around a Float32Array, or one with an own lying length, gets InvalidTensorError; nothing is written', async () => {
    const op = await prepareConv1x1(problem, { backend: 'reference' });
    const out = createTensor(new Float32Array(4).fill(-7), [1, 2, 1, 2]);
    const proxy = new Proxy(Float32Array.of(1, 2, 3, 4), {});
    await expect(op.run({ shape: [1, 2, 1, 2], layout: 'NCHW', data: proxy }, out)).rejects.toBeInstanceOf(InvalidTensorError);
    const liar = Float32Array.of(1, 2);
    Object.defineProperty(liar, 'length', { value: 4 });
    await expect(op.run({ shape: [1, 2, 1, 2], layout: 'NCHW', data: liar }, out)).rejects.toBeInstanceOf(InvalidTensorError);
    const longLiar = Float32Array.of(1, 2, 3, 4, 5, 6);
    Object.defineProperty(longLiar, 'length', { value: 4 });
    await expect(op.run({ shape: [1, 2, 1, 2], layout: 'NCHW', data: longLiar }, out)).rejects.toThrow(/length 4/);
    expect(Array.from(out.data)).toEqual([-7, -7, -7, -7]);
  });

  it('a shape getter that answers differently on each read is read once', async () => {
    const op = await prepareConv1x1(problem, { backend: 'reference' });
    let reads = 0;
    const tricky = {
      get shape() {
        return reads++ === 0 ? [1, 2, 1, 2] : [1, 2, 1, 1];
      },
      layout: 'NCHW' as const,
      data: Float32Array.of(1, 2, 3, 4),
    };
    expect(Array.from((await op.run(tricky as unknown as Tensor)).data)).toEqual([7, 10, 15, 22]);
    expect(reads).toBe(1);
  });

  it('an unknown clamp key and a bigint size are InvalidArgumentErrors that say what came', async () => {
    await expect(prepareConv1x1({ ...problem, activation: { type: 'clamp', min: 0, max: 1, foo: 1 } as never })).rejects.toThrow(/activation\.foo/);
    await expect(prepareConv1x1({ ...problem, inputShape: [1, 2, 1, 4n] as never })).rejects.toThrow(/received 4n/);
    await expect(prepareConv1x1({ ...problem, stride: 2n as never })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('item 2: a backend limit is not the caller’s error', () => {
  it('BackendCapacityError in prepare falls back to the next backend and is reported with its reason', async () => {
    const registry = new BackendRegistry();
    registry.register('small', () =>
      Object.assign(new GatedBackend('small'), {
        prepare: async () => {
          throw new BackendCapacityError('small', 'wasm memory 4294967296 bytes', 'needs 8 GiB');
        },
      }),
    );
    registerReferenceBackend(registry);
    const op = await prepareConv1x1(problem1(), { registry, backend: ['small', 'reference'] });
    expect(op.backend).toBe('reference');
    expect(Array.from((await op.run(createTensor(Float32Array.of(3), [1, 1, 1, 1]))).data)).toEqual([6]);
  });
});

function problem1() {
  return { inputShape: [1, 1, 1, 1] as const, weights: { data: Float32Array.of(2), shape: [1, 1] } };
}

describe('item 12: two copies of core in one process', () => {
  it("copy B's prepareConv1x1 keeps copy A's attempt reasons", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pointwise-core-copy-'));
    cpSync(new URL('../dist', import.meta.url), dir, { recursive: true, filter: (source) => !source.endsWith('.map') });
    // Without its source maps the copy must not point at them (Vite would complain on every import).
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'))) {
      const path = join(dir, file);
      writeFileSync(path, readFileSync(path, 'utf8').replace(/\/\/# sourceMappingURL=.*$/m, ''));
    }
    const copy = (await import(pathToFileURL(join(dir, 'index.js')).href)) as typeof import('../src/index.js');
    expect(copy.BackendRegistry).not.toBe(BackendRegistry);
    const registry = new BackendRegistry();
    registry.register('broken', () =>
      Object.assign(new GatedBackend('broken'), {
        prepare: async () => {
          throw new Error('kernel failed to compile');
        },
      }),
    );
    registry.register('absent', () => Object.assign(new GatedBackend('absent'), { probe: async () => ({ available: false, reason: 'no device' }) }));
    const failure = await copy.prepareConv1x1(problem1(), { registry: registry as never, backend: ['broken', 'absent'] }).catch((e: unknown) => e);
    expect(PointwiseError.isInstance(failure)).toBe(true);
    expect((failure as { attempts: { backend: string; reason: string }[] }).attempts.map((a) => a.backend)).toEqual(['broken', 'absent']);
    expect((failure as Error).message).toMatch(/kernel failed to compile.*no device/);
  });
});

describe('item 8 in core: selection retains nothing after prepare', () => {
  it('an operator prepared through the registry and dropped is garbage-collected (no reaction left on the registry)', async () => {
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const registry = new BackendRegistry();
    // Weak references to what the backend's prepare returned: the value a race against dispose() resolves to.
    const refs: WeakRef<object>[] = [];
    registry.register('gated', () =>
      Object.assign(new GatedBackend('gated'), {
        async prepare(request: PrepareRequest) {
          const op = await new ReferenceBackend().prepare(request);
          refs.push(new WeakRef(op));
          return op;
        },
      }),
    );
    for (let i = 0; i < 20; i++) {
      const op = await prepareConv1x1({ inputShape: [1, 1, 1, 1], weights: { data: Float32Array.of(1), shape: [1, 1] } }, { registry, backend: 'gated' });
      op.dispose();
    }
    for (let i = 0; i < 5 && refs.some((r) => r.deref() !== undefined); i++) {
      await tick();
      gc();
    }
    // The most recent one may still be referenced from the engine's last settled job; none of the others may be.
    expect(refs.filter((r) => r.deref() !== undefined).length).toBeLessThanOrEqual(1);
  });
});

describe('resident results (device memory) through core', () => {
  it('a backend without device memory says so with a typed error', async () => {
    const op = await prepareConv1x1(problem1(), { backend: 'reference' });
    expect(op.canRunResident).toBe(false);
    await expect(op.runResident(createTensor(Float32Array.of(1), [1, 1, 1, 1]))).rejects.toThrow(/runResident: expected a backend that keeps results on a device/);
  });
});

describe('zero-copy tensors through core', () => {
  it('a backend without its own kernel memory says so with a typed error', async () => {
    const op = await prepareConv1x1(problem1(), { backend: 'reference' });
    expect(op.canCreateTensors).toBe(false);
    expect(() => op.createInput()).toThrow(/createInput: expected a backend whose kernel owns its memory/);
    op.dispose();
    expect(() => op.createOutput()).toThrow(/used after dispose/);
  });
});
