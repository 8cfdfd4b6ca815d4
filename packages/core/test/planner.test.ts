import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BACKEND_API_VERSION,
  BackendRegistry,
  InvalidArgumentError,
  POINTWISE_CORE_VERSION,
  ReferenceBackend,
  Wisdom,
  createTensor,
  environmentFingerprint,
  loadWisdom,
  prepareConv1x1,
  referenceConv1x1,
  registerReferenceBackend,
  saveWisdom,
  type Availability,
  type Backend,
  type PrepareRequest,
  type Tensor,
} from '../src/index.js';
import { fileWisdomStore } from '../src/node.js';

/** The injected clock of these tests, in milliseconds: only the fake backends' runs move it. */
let fakeNow = 0;
const clock = () => fakeNow;

/** A reference-computing backend whose runs advance the fake clock by `delayMs`, or give wrong results; counts its runs. */
class TimedBackend implements Backend {
  readonly apiVersion = BACKEND_API_VERSION;
  runs = 0;
  disposed = 0;
  constructor(
    readonly name: string,
    private readonly delayMs: number,
    private readonly wrong = false,
    /** Per-run delays, cycled, instead of `delayMs` (a load that comes and goes). */
    private readonly pattern: readonly number[] = [],
  ) {}
  async probe(): Promise<Availability> {
    return { available: true };
  }
  async init() {}
  capabilities() {
    return new ReferenceBackend().capabilities();
  }
  async prepare(request: PrepareRequest) {
    const op = await new ReferenceBackend().prepare(request);
    return {
      geometry: op.geometry,
      info: { backend: this.name, details: {} },
      run: async (x: Tensor, out: Tensor) => {
        fakeNow += this.pattern.length > 0 ? this.pattern[this.runs % this.pattern.length] : this.delayMs;
        this.runs++;
        await op.run(x, out);
        if (this.wrong) out.data[0] += 1;
      },
      dispose: () => {
        this.disposed++;
      },
    };
  }
  async dispose() {}
}

function setup(slowMs = 4, fastMs = 0.25) {
  const registry = new BackendRegistry();
  registerReferenceBackend(registry);
  const slow = new TimedBackend('slow', slowMs);
  const fast = new TimedBackend('fast', fastMs);
  const wrong = new TimedBackend('wrong', 0, true);
  registry.register('slow', () => slow, { priority: 3 });
  registry.register('fast', () => fast, { priority: 2 });
  registry.register('wrong', () => wrong, { priority: 4 });
  return { registry, slow, fast, wrong };
}

const problem = { inputShape: [1, 8, 4, 4] as const, weights: { data: new Float32Array(64).map((_, i) => (i % 5) - 2), shape: [8, 8] } };

describe("the measuring planner (choose: 'fastest')", () => {
  it('keeps the fastest candidate, drops one whose result is wrong, disposes the rest and reports every median', async () => {
    const { registry, slow, fast } = setup();
    const wisdom = new Wisdom(environmentFingerprint());
    const op = await prepareConv1x1(problem, { registry, backend: ['wrong', 'slow', 'fast'] as never, choose: 'fastest', wisdom, measure: { clock } });
    expect(op.backend).toBe('fast');
    const report = op.info.selection!;
    expect(report.method).toBe('fastest');
    expect(report.candidates.map((c) => [c.configuration, c.status])).toEqual([
      ['wrong', 'dropped'],
      ['slow', 'measured'],
      ['fast', 'chosen'],
    ]);
    expect(report.candidates[0].reason).toMatch(/outside the accuracy bound/);
    // The fake clock makes the medians exact: each timed run costs its backend's delay.
    expect(report.candidates[1].medianMs).toBe(4);
    expect(report.candidates[2].medianMs).toBe(0.25);
    expect(slow.disposed).toBe(1);
    expect(fast.disposed).toBe(0);
    // One checked run (4 ms, counted in its 50 ms budget), six untimed warm-up runs (until half the budget has
    // passed: 4 + 6·4 = 28 ms); its warm-up runs all took over four times fast's (0.25 ms), so it takes no
    // round: its fastest warm-up run is its one sample.
    expect(slow.runs).toBe(1 + 6);
    expect(report.candidates[1].runs).toBe(1);
    const x = createTensor(new Float32Array(128).map((_, i) => i / 64 - 1), [1, 8, 4, 4]);
    expect(Array.from((await op.run(x)).data)).toEqual(Array.from(referenceConv1x1(op.geometry, x.data, problem.weights.data, null).values, Math.fround));
  });

  it('remembers the decision: the next prepare of the same problem uses it without measuring', async () => {
    const { registry, slow, fast } = setup();
    const wisdom = new Wisdom(environmentFingerprint());
    await prepareConv1x1(problem, { registry, backend: ['slow', 'fast'] as never, choose: 'fastest', wisdom, measure: { clock } });
    const runsBefore = slow.runs + fast.runs;
    const again = await prepareConv1x1(problem, { registry, backend: ['slow', 'fast'] as never, choose: 'fastest', wisdom, measure: { clock } });
    expect(again.backend).toBe('fast');
    expect(again.info.selection!.method).toBe('wisdom');
    expect(slow.runs + fast.runs).toBe(runsBefore);
    // Another candidate set is another question: measured afresh.
    const other = await prepareConv1x1(problem, { registry, backend: ['fast', 'slow'] as never, choose: 'fastest', wisdom, measure: { clock } });
    expect(other.info.selection!.method).toBe('fastest');
    expect(wisdom.size).toBe(2);
  });

  it("'wisdom-only' uses a remembered decision and otherwise takes the first candidate without measuring", async () => {
    const { registry, slow, fast } = setup();
    const wisdom = new Wisdom(environmentFingerprint());
    const first = await prepareConv1x1(problem, { registry, backend: ['slow', 'fast'] as never, choose: 'wisdom-only', wisdom, measure: { clock } });
    expect(first.backend).toBe('slow');
    expect(first.info.selection!.method).toBe('first');
    expect(slow.runs + fast.runs).toBe(0);
    await prepareConv1x1(problem, { registry, backend: ['slow', 'fast'] as never, choose: 'fastest', wisdom, measure: { clock } });
    const remembered = await prepareConv1x1(problem, { registry, backend: ['slow', 'fast'] as never, choose: 'wisdom-only', wisdom, measure: { clock } });
    expect(remembered.backend).toBe('fast');
    expect(remembered.info.selection!.method).toBe('wisdom');
  });

  it('exported wisdom loads back; foreign or stale entries are ignored with a reason', async () => {
    const { registry } = setup();
    const here = environmentFingerprint();
    const wisdom = new Wisdom(here);
    await prepareConv1x1(problem, { registry, backend: ['slow', 'fast'] as never, choose: 'fastest', wisdom, measure: { clock } });
    const json = wisdom.export();
    const copy = new Wisdom(here);
    expect(copy.import(json)).toEqual({ accepted: 1, ignored: [] });
    const elsewhere = new Wisdom({ ...here, cpu: 'another CPU' });
    const report = elsewhere.import(json);
    expect(report.accepted).toBe(0);
    expect(report.ignored[0].reason).toMatch(/another environment/);
    const stale = JSON.parse(json);
    stale.entries[0].version = '0.0.1';
    expect(copy.import(JSON.stringify(stale)).ignored[0].reason).toMatch(`made by version 0.0.1, this is ${POINTWISE_CORE_VERSION}`);
    const lying = JSON.parse(json);
    lying.entries[0].choice = 'not-a-candidate';
    expect(copy.import(JSON.stringify(lying)).ignored[0].reason).toBe('malformed entry: the choice is not among the candidates');
    expect(() => copy.import('{"format":"x"}')).toThrow(InvalidArgumentError);
  });

  it('a file store keeps wisdom across processes (here: across Wisdom objects)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pointwise-wisdom-')), 'wisdom.json');
    const store = fileWisdomStore(path);
    const wisdom = new Wisdom(environmentFingerprint());
    expect(await loadWisdom(wisdom, store)).toEqual({ accepted: 0, ignored: [] });
    const { registry } = setup();
    await prepareConv1x1(problem, { registry, backend: ['slow', 'fast'] as never, choose: 'fastest', wisdom, measure: { clock } });
    await saveWisdom(wisdom, store);
    const later = new Wisdom(environmentFingerprint());
    expect((await loadWisdom(later, store)).accepted).toBe(1);
  });

  it('measure limits and choose are validated', async () => {
    const { registry } = setup();
    await expect(prepareConv1x1(problem, { registry, choose: 'quickest' as never })).rejects.toThrow(/options\.choose/);
    await expect(prepareConv1x1(problem, { registry, choose: 'fastest', measure: { maxRuns: 0 } })).rejects.toThrow(/maxRuns/);
    await expect(prepareConv1x1(problem, { registry, choose: 'fastest', measure: { budgetMs: 5000 } })).rejects.toThrow(/budgetMs/);
    await expect(prepareConv1x1(problem, { registry, choose: 'fastest', measure: { runs: 3 } as never })).rejects.toThrow(/measure\.runs/);
  });

  it('is deterministic given the same timings: equal medians go to the earlier (higher-priority) candidate', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    registry.register('slow', () => new TimedBackend('slow', 1), { priority: 3 });
    registry.register('fast', () => new TimedBackend('fast', 1), { priority: 2 });
    for (let i = 0; i < 3; i++) {
      const op = await prepareConv1x1(problem, { registry, backend: ['slow', 'fast'] as never, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()), measure: { clock } });
      expect(op.backend).toBe('slow');
      expect(op.info.selection!.candidates.map((c) => c.medianMs)).toEqual([1, 1]);
    }
  });

  it('stays within its budget: each candidate takes another round only while one more fits its budgetMs', async () => {
    const { registry, slow, fast } = setup(3, 2);
    const op = await prepareConv1x1(problem, { registry, backend: ['slow', 'fast'] as never, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()), measure: { clock, budgetMs: 50, maxRuns: 50 } });
    // slow: its checked run (3 ms), warm-up until half the budget has passed (8 runs: 27 ms), two rounds of
    // an untimed and two timed runs (45 ms); a third (9 ms more) would pass 50 ms. fast: 2 ms, 12 warm-up runs
    // (26 ms), then four rounds of 6 ms (exactly 50 ms).
    expect(op.info.selection!.candidates.map((c) => c.runs)).toEqual([4, 8]);
    expect(slow.runs).toBe(1 + 8 + 3 * 2);
    expect(fast.runs).toBe(1 + 12 + 3 * 4);
    // Deciding: 45 + 50 ms, within 50 ms per candidate.
    expect(op.info.selection!.decisionMs).toBe(45 + 50);
  });

  it('reports a backend\'s first initialisation as initMs, outside decisionMs and the candidate\'s budget', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    /** A TimedBackend whose init (a thread pool starting) takes 200 ms of the fake clock, once. */
    class SlowStart extends TimedBackend {
      override async init() {
        fakeNow += 200;
      }
    }
    registry.register('slow-start', () => new SlowStart('slow-start', 2), { priority: 3 });
    registry.register('fast', () => new TimedBackend('fast', 2), { priority: 2 });
    const decide = () => prepareConv1x1(problem, { registry, backend: ['slow-start', 'fast'] as never, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()), measure: { clock, budgetMs: 50, maxRuns: 50 } });
    const first = await decide();
    const second = await decide();
    // The same decision both times (the budget is the candidates' to measure with, not the start's): 2 ms runs,
    // each candidate's checked run and 12 warm-up runs (26 ms), then rounds of three runs (6 ms) while the two
    // together stay within 98 ms: three for slow-start (44 ms), four for fast (50 ms; odd rounds run in reverse).
    expect(first.info.selection).toMatchObject({ initMs: 200, decisionMs: 94 });
    expect(second.info.selection).toMatchObject({ initMs: 0, decisionMs: 94 });
    expect(first.info.selection!.candidates.map((c) => c.runs)).toEqual([6, 8]);
    expect(first.info.selection!.candidates.map((c) => c.runs)).toEqual(second.info.selection!.candidates.map((c) => c.runs));
    first.dispose();
    second.dispose();
  });

  it('keeps the whole decision within budgetMs per candidate when one candidate\'s minimums pass its own budget', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    // cold: a 60 ms first run (fresh memory), then 1 ms runs. warm: 0.5 ms runs.
    registry.register('cold', () => new TimedBackend('cold', 0, false, [60, ...Array<number>(199).fill(1)]), { priority: 3 });
    registry.register('warm', () => new TimedBackend('warm', 0.5), { priority: 2 });
    const op = await prepareConv1x1(problem, { registry, backend: ['cold', 'warm'] as never, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()), measure: { clock, budgetMs: 50, maxRuns: 50 } });
    // cold: 60 + 3 warm-up runs + 2 rounds of 3 runs = 69 ms, past its 50. warm: 0.5 + 30 warm-up runs (15 ms)
    // + 2 rounds (3 ms) = 18.5 ms, then extra rounds of 1.5 ms only while the two together stay within 98 ms
    // (100 less the 2 % tail share): 7 of them, where its own budget alone would have allowed 21.
    const [cold, warm] = op.info.selection!.candidates;
    expect(cold.runs).toBe(4);
    expect(warm.runs).toBe(2 * (2 + 7));
    expect(op.info.selection!.decisionMs).toBe(98);
    expect(op.backend).toBe('warm');
  });

  it('times two rounds (four runs) of a candidate whose runs take longer than its budget, and no more', async () => {
    const { registry, slow, fast } = setup(30, 20);
    const op = await prepareConv1x1(problem, { registry, backend: ['slow', 'fast'] as never, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()), measure: { clock, budgetMs: 100, maxRuns: 50 } });
    // The checked run, then the three warm-up runs every candidate takes (slow: 120 ms in all; fast: 80 ms),
    // then the two rounds every candidate takes (6·30 and 6·20 ms): neither has 100 ms left for a third.
    expect(op.info.selection!.candidates.map((c) => c.runs)).toEqual([4, 4]);
    expect(slow.runs).toBe(1 + 3 + 3 * 2);
    expect(fast.runs).toBe(1 + 3 + 3 * 2);
    expect(op.info.selection!.decisionMs).toBe(120 + 180 + 80 + 120);
  });

  it('ranks by the lower quartile of the timed runs: a load that slows most runs of a near-tie does not decide', async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    // steady: 2 ms a run. slowed: 1.5 ms a run, but three runs in four slowed to 3 ms by a passing load.
    registry.register('steady', () => new TimedBackend('steady', 2), { priority: 3 });
    registry.register('slowed', () => new TimedBackend('slowed', 0, false, [1.5, 3, 3, 3]), { priority: 2 });
    const op = await prepareConv1x1(problem, { registry, backend: ['steady', 'slowed'] as never, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()), measure: { clock, budgetMs: 1000, maxRuns: 8 } });
    const [steady, slowed] = op.info.selection!.candidates;
    expect(steady).toMatchObject({ status: 'measured', medianMs: 2, lowerQuartileMs: 2, runs: 8 });
    // Its eight timed runs (the 2nd and 3rd of each round of three, after 30 warm-up runs) take 1.5 ms twice, 3 ms six times.
    expect(slowed).toMatchObject({ status: 'chosen', medianMs: 3, lowerQuartileMs: 1.5, runs: 8 });
    expect(op.backend).toBe('slowed');
  });

  it('prepares a lone candidate without measuring: nothing to choose', async () => {
    const { registry, slow } = setup();
    const op = await prepareConv1x1(problem, { registry, backend: ['slow'] as never, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()), measure: { clock } });
    expect(op.backend).toBe('slow');
    expect(op.info.selection!.method).toBe('first');
    expect(slow.runs).toBe(0);
    // The float64 reference alone (no backend list, nothing else registered) is not measured either.
    const only = new BackendRegistry();
    registerReferenceBackend(only);
    const reference = await prepareConv1x1(problem, { registry: only, env: {}, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()) });
    expect(reference.backend).toBe('reference');
    expect(reference.info.selection!.method).toBe('first');
  });

  it('names what is wrong: a misspelt measure option, a wisdom file without format or entries, a store path that cannot be written', async () => {
    const { registry } = setup();
    await expect(prepareConv1x1(problem, { registry, choose: 'fastest', measure: { budget: 10 } as never })).rejects.toMatchObject({ parameter: 'options.measure.budget', suggestion: 'budgetMs' });
    const wisdom = new Wisdom(environmentFingerprint());
    expect(() => wisdom.import('{}')).toThrow('wisdom.format: expected "pointwise-wisdom-1", received "no format"');
    expect(() => wisdom.import('{"format":"pointwise-wisdom-1"}')).toThrow('wisdom.entries: expected an array of entries, received "no entries"');
    expect(() => wisdom.import('[]')).toThrow(/received "an array"/);
    const missing = join(tmpdir(), `pointwise-no-such-dir-${process.pid}`, 'wisdom.json');
    await expect(fileWisdomStore(missing).save('{}')).rejects.toThrow(`cannot save wisdom to ${missing}: ENOENT`);
    // A directory where the file should be: named like save's errors (was a bare EISDIR); a missing file is no wisdom.
    await expect(fileWisdomStore(tmpdir()).load()).rejects.toThrow(`cannot load wisdom from ${tmpdir()}: EISDIR`);
    await expect(fileWisdomStore(missing).load()).resolves.toBeNull();
    // Was a store whose load threw a TypeError (no path) or read nothing ('').
    for (const path of [undefined, '', 5, new URL('file:///tmp/w.json')]) expect(() => fileWisdomStore(path as never)).toThrow(InvalidArgumentError);
  });

  it('the fingerprint names this runtime and CPU', () => {
    const f = environmentFingerprint();
    expect(f.runtime).toBe(`node ${process.versions.node}`);
    expect(f.platform).toBe(`${process.platform} ${process.arch}`);
    expect(f.cores).toBeGreaterThanOrEqual(1);
    expect(f.cpu).not.toBe('');
  });
});

describe('planner candidates and environment errors', () => {
  it("without a named list, choose: 'fastest' leaves the float64 reference out of the measurement", async () => {
    const { registry } = setup();
    const wisdom = new Wisdom(environmentFingerprint());
    const op = await prepareConv1x1(problem, { registry, env: {}, choose: 'fastest', wisdom, measure: { clock } });
    expect(op.info.selection!.candidates.map((c) => c.configuration)).toEqual(['wrong', 'slow', 'fast']);
    expect(op.backend).toBe('fast');
  });

  it('a bad option in POINTWISE_BACKEND names the variable and the entry', async () => {
    const { registry } = setup();
    registry.register('opt', () => new TimedBackend('opt', 0), {
      validate: (o) => {
        if (o.threads !== undefined && o.threads !== 1) throw new InvalidArgumentError('threads', 'an integer 1', o.threads);
      },
    });
    await expect(prepareConv1x1(problem, { registry, env: { POINTWISE_BACKEND: 'opt[threads=0]' } })).rejects.toThrow(
      /^POINTWISE_BACKEND: opt\[threads=0\]: threads: expected an integer 1, received 0$/,
    );
  });
});

describe('the planner and its stores against bad clocks, crafted wisdom and concurrent saves', () => {
  it('types a clock that reads NaN, a string or goes backwards, and disposes every candidate it prepared', async () => {
    // Ten good readings take the planner past preparing both candidates (its setup, and for each its start, its
    // registry selection's start and end, and its end); the bad eleventh comes as the measurement starts.
    const good = (t: number) => Array<number>(10).fill(t);
    for (const readings of [[...good(0), Number.NaN], [...good(0), '5'], [...good(10), 9]] as unknown[][]) {
      const { registry, slow, fast } = setup();
      let i = 0;
      const bad = () => (i < readings.length ? readings[i++] : readings[readings.length - 1]) as number;
      const error = await prepareConv1x1(problem, { registry, backend: ['slow', 'fast'] as never, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()), measure: { clock: bad } }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).parameter).toBe('options.measure.clock');
      // Every operator the planner prepared was disposed (none reached the caller).
      expect([slow.disposed, fast.disposed]).toEqual([1, 1]);
    }
  });

  it('keys wisdom by the exact candidate list: configurations with commas cannot be regrouped to match another list', () => {
    const fingerprint = environmentFingerprint();
    const w = new Wisdom(fingerprint);
    const entry = (candidates: string[]) => ({ problem: 'p', candidates, fingerprint, version: POINTWISE_CORE_VERSION, choice: candidates[0], medianMs: {}, measuredAt: '2026-01-01T00:00:00.000Z' });
    // The same characters joined with commas as ['cpu-tiled[kernel=js,microtile=3x4]', 'b'].
    expect(w.import(JSON.stringify({ format: 'pointwise-wisdom-1', entries: [entry(['cpu-tiled[kernel=js', 'microtile=3x4]', 'b'])] })).accepted).toBe(1);
    expect(w.lookup('p', ['cpu-tiled[kernel=js,microtile=3x4]', 'b'])).toBeUndefined();
    expect(w.lookup('p', ['cpu-tiled[kernel=js', 'microtile=3x4]', 'b'])?.choice).toBe('cpu-tiled[kernel=js');
  });

  it('ignores an entry whose version or measuredAt is not a string, with the reason', () => {
    const fingerprint = environmentFingerprint();
    const w = new Wisdom(fingerprint);
    const base = { problem: 'p', candidates: ['a'], fingerprint, version: POINTWISE_CORE_VERSION, choice: 'a', medianMs: { a: 1 } };
    const report = w.import(JSON.stringify({ format: 'pointwise-wisdom-1', entries: [{ ...base, measuredAt: { toString: 1 } }, { ...base, version: { toString: 1 } }] }));
    expect(report).toEqual({
      accepted: 0,
      ignored: [
        { problem: 'p', reason: 'malformed entry: measuredAt must be an ISO 8601 string' },
        { problem: 'p', reason: 'malformed entry: version must be a string' },
      ],
    });
  });

  it('a file store left by overlapping saves holds one of them whole', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pointwise-wisdom-')), 'wisdom.json');
    const store = fileWisdomStore(path);
    const a = JSON.stringify({ format: 'pointwise-wisdom-1', entries: [], pad: 'a'.repeat(2_000_000) });
    const b = JSON.stringify({ format: 'pointwise-wisdom-1', entries: [], pad: 'b'.repeat(1_000_000) });
    const outcomes = await Promise.allSettled([store.save(a), store.save(b), store.save(a), store.save(b)]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect([a, b]).toContain(await store.load());
  });
});

describe('what the planner measures on', () => {
  it('plain tensors by default, SharedArrayBuffer tensors with measure.sharedTensors, and a typed error for a non-boolean', async () => {
    for (const sharedTensors of [undefined, false, true]) {
      const registry = new BackendRegistry();
      const kinds: boolean[] = [];
      class Recording extends TimedBackend {
        override async prepare(request: PrepareRequest) {
          const op = await super.prepare(request);
          return { ...op, run: async (x: Tensor, out: Tensor) => (kinds.push(x.data.buffer instanceof SharedArrayBuffer && out.data.buffer instanceof SharedArrayBuffer), op.run(x, out)) };
        }
      }
      registry.register('a', () => new Recording('a', 1), { priority: 2 });
      registry.register('b', () => new Recording('b', 2), { priority: 1 });
      const op = await prepareConv1x1(problem, { registry, backend: ['a', 'b'] as never, choose: 'fastest', wisdom: new Wisdom(environmentFingerprint()), measure: { clock, ...(sharedTensors === undefined ? {} : { sharedTensors }) } });
      expect(op.backend).toBe('a');
      expect(kinds.length).toBeGreaterThan(4);
      expect(new Set(kinds)).toEqual(new Set([sharedTensors === true]));
      op.dispose();
    }
    const { registry } = setup();
    await expect(prepareConv1x1(problem, { registry, choose: 'fastest', measure: { sharedTensors: 'yes' as never } })).rejects.toThrow(/options\.measure\.sharedTensors: expected true or false/);
  });
});
