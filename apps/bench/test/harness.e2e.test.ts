import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { BackendRegistry, registerReferenceBackend, type Layout } from '@pointwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackendContender,
  EXIT_USAGE,
  hasWrongResult,
  main,
  makeLayer,
  NaiveContender,
  runBench,
  summarizeRow,
  UnsupportedLayerError,
  type BenchReport,
  type Contender,
  type ContenderProblem,
  type PreparedRun,
  type Suite,
} from '../src/index.js';
import { helpText } from '../src/cli-program.js';
import { BENCH_VERSION, backendVersion } from '../src/package-version.js';

/** A contender that computes the naive result and then corrupts one element by `error`. */
class OffByContender implements Contender {
  readonly kind = 'peer' as const;
  readonly version = 'test';
  readonly #inner = new NaiveContender();
  constructor(readonly name: string, private readonly error: number) {}
  async load(): Promise<void> {}
  layoutFor(requested: Layout): Layout {
    return requested;
  }
  async prepare(problem: ContenderProblem): Promise<PreparedRun> {
    const inner = await this.#inner.prepare(problem);
    return {
      ...inner,
      run: async () => {
        await inner.run();
        inner.output()[0] += this.error;
      },
    };
  }
  async dispose(): Promise<void> {}
}

/** A contender that cannot express grouped layers. */
class NoGroupsContender extends OffByContender {
  override async prepare(problem: ContenderProblem): Promise<PreparedRun> {
    if (problem.layer.groups !== 1) throw new UnsupportedLayerError(this.name, 'no groups');
    return super.prepare(problem);
  }
}

/** A contender whose engine does not load. */
class MissingContender extends OffByContender {
  override async load(): Promise<void> {
    throw new Error('native module not found');
  }
}

const TINY: Suite = {
  name: 'tiny',
  description: 'tiny test layers',
  layers: [
    makeLayer({ inChannels: 6, outChannels: 4, height: 3, width: 5 }),
    makeLayer({ inChannels: 8, outChannels: 4, height: 4, width: 4, stride: 2, groups: 2, activation: 'relu6' }),
  ],
};

const SETTINGS = { repeat: 3, minTimeMs: 1, maxTimeMs: 1000, minSamplesAtCap: 3, maxSamples: 20, warmupMs: 1 };

describe('runBench on a tiny suite', () => {
  let report: BenchReport;

  beforeAll(async () => {
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    report = await runBench({
      suites: [TINY],
      contenders: [
        new BackendContender('reference', registry, 'reference', backendVersion('reference')),
        new NaiveContender(BENCH_VERSION),
        new OffByContender('wrong', 1),
        new NoGroupsContender('no-groups', 0),
        new MissingContender('missing', 0),
      ],
      layouts: ['NCHW', 'NHWC'],
      settings: SETTINGS,
      seed: 7,
    });
  });

  it('lists a contender that cannot load with its reason and runs the rest', () => {
    expect(report.contenders.find((c) => c.name === 'missing')).toMatchObject({ available: false, reason: 'native module not found' });
    expect(report.suites.map((s) => `${s.suite}/${s.layout}`)).toEqual(['tiny/NCHW', 'tiny/NHWC']);
    for (const suite of report.suites) {
      for (const layer of suite.layers) expect(layer.measurements.map((m) => m.contender)).toEqual(['reference', 'naive', 'wrong', 'no-groups']);
    }
  });

  it('times verified contenders with stamped rows and enough samples', () => {
    const layer = report.suites[1].layers[1];
    expect(layer.layer).toMatchObject({ flops: 2 * 1 * 4 * 4 * 2 * 2, data: 'synthetic', groups: 2 });
    for (const name of ['reference', 'naive']) {
      const m = layer.measurements.find((x) => x.contender === name)!;
      expect(m.status).toBe('ok');
      expect(m).toMatchObject({ inputLayout: 'NHWC', outputLayout: 'NHWC' });
      expect(m.details?.threads).toBe(1);
      expect(m.version).not.toBe('unknown');
      expect(m.accuracy?.failureCount).toBe(0);
      expect(m.samplesMs.length).toBeGreaterThanOrEqual(SETTINGS.repeat);
      expect(m.samplesMs.length).toBeLessThanOrEqual(SETTINGS.maxSamples);
      expect(m.summary?.count).toBe(m.samplesMs.length);
      expect(m.gflops?.median).toBeCloseTo(layer.layer.flops / (m.summary!.median * 1e6), 9);
      expect(m.prepareMs).toBeGreaterThanOrEqual(0);
      expect(m.firstRunMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('reports a wrong result as wrong and never times it', () => {
    for (const suite of report.suites) {
      for (const layer of suite.layers) {
        const wrong = layer.measurements.find((m) => m.contender === 'wrong')!;
        expect(wrong.status).toBe('wrong');
        expect(wrong.samplesMs).toEqual([]);
        expect(wrong.accuracy?.failureCount).toBe(1);
        expect(wrong.reason).toMatch(/1\/\d+ elements outside bound/);
      }
    }
    expect(hasWrongResult(report.suites)).toBe(true);
  });

  it('reports a layer a contender cannot express as unsupported', () => {
    const [plain, grouped] = report.suites[0].layers;
    expect(plain.measurements.find((m) => m.contender === 'no-groups')!.status).toBe('ok');
    expect(grouped.measurements.find((m) => m.contender === 'no-groups')).toMatchObject({ status: 'unsupported', reason: 'no-groups: no groups' });
  });

  it('ranks a row and compares the best backend with the naive loop', () => {
    const row = summarizeRow(report.suites[0].layers[0]);
    const rate = (name: string) => report.suites[0].layers[0].measurements.find((m) => m.contender === name)!.gflops!.median;
    expect(row.naive?.gflops).toBe(rate('naive'));
    expect(row.bestBackend).toEqual({ key: 'reference', gflops: rate('reference') });
    expect(row.backendVsNaive).toBeCloseTo(rate('reference') / rate('naive'), 12);
    expect(row.bestPeer?.key).toBe('no-groups');
  });
});

describe('the pointwise-bench command', () => {
  let dir: string;
  const sink = () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    return { stream, text: () => chunks.join('') };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pointwise-bench-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a custom shape and writes JSON, Markdown and HTML', async () => {
    const out = sink();
    const err = sink();
    const files = { json: join(dir, 'r.json'), md: join(dir, 'r.md'), html: join(dir, 'r.html') };
    const status = await main(
      ['node', 'cli', '--shape', '8x4x4:8:relu', '--backends', 'reference,naive', '--repeat', '3', '--min-time', '1', '--warmup', '1',
        '--no-progress', '--json', files.json, '--markdown', files.md, '--html', files.html],
      { stdout: out.stream, stderr: err.stream as unknown as NodeJS.WriteStream },
    );
    expect(status, err.text()).toBe(0);
    expect(out.text()).toContain('== custom (NCHW requested)');
    expect(out.text()).toContain('8→8 @4²');
    const json = JSON.parse(await readFile(files.json, 'utf8')) as BenchReport;
    expect(json.environment.nodeVersion).toBe(process.version);
    expect(json.settings).toMatchObject({ seed: 1, layout: ['NCHW'], kernel: 'default', gpujsMode: ['auto'], repeat: 3 });
    expect(json.settings.threads).toBeGreaterThanOrEqual(1);
    expect(json.suites[0].layers[0].measurements.map((m) => [m.contender, m.status])).toEqual([
      ['reference', 'ok'],
      ['naive', 'ok'],
    ]);
    expect(json.suites[0].layers[0].measurements[1].samplesMs.length).toBeGreaterThanOrEqual(3);
    expect(await readFile(files.md, 'utf8')).toMatch(/\| layer \| MFLOP \| reference \| naive \|/);
    const html = await readFile(files.html, 'utf8');
    expect(html).toContain('<canvas id="suite-0-rate">');
    expect(html).toMatch(/Chart\.js v4/);
  });

  it('runs cpu-tiled and workers once per --kernel microkernel, workers on --threads threads', async () => {
    const err = sink();
    const file = join(dir, 'kernels.json');
    const status = await main(
      ['node', 'cli', '--shape', '256x28x28:256:relu6', '--backends', 'cpu-tiled,workers', '--kernel', 'js,wasm-simd', '--threads', '2',
        '--repeat', '3', '--min-time', '1', '--warmup', '1', '--no-progress', '--json', file],
      { stdout: sink().stream, stderr: err.stream as unknown as NodeJS.WriteStream },
    );
    expect(status, err.text()).toBe(0);
    const json = JSON.parse(await readFile(file, 'utf8')) as BenchReport;
    const rows = json.suites[0].layers[0].measurements.map((m) => [m.contender, m.status, m.details.kernel, m.details.threads, m.details.callingThread]);
    // callingThread: cpu-tiled computes on the calling thread; workers' calling thread takes a share of the tiles.
    expect(rows).toEqual([
      ['cpu-tiled[js]', 'ok', 'js', 1, 'blocked'],
      ['cpu-tiled[wasm-simd]', 'ok', 'wasm-simd', 1, 'blocked'],
      ['workers[js]', 'ok', 'js', 2, 'shared'],
      ['workers[wasm-simd]', 'ok', 'wasm-simd', 2, 'shared'],
    ]);
  });

  it('selects one configuration by its bracketed name without --kernel, next to the plain backend, and rejects an unknown microkernel', async () => {
    const err = sink();
    const file = join(dir, 'one-kernel.json');
    const io = { stdout: sink().stream, stderr: err.stream as unknown as NodeJS.WriteStream };
    const status = await main(
      ['node', 'cli', '--shape', '16x4x4:8', '--backends', 'cpu-tiled[js],workers[wasm-simd],cpu-tiled', '--repeat', '3', '--min-time', '1',
        '--warmup', '1', '--no-progress', '--json', file],
      io,
    );
    expect(status, err.text()).toBe(0);
    const json = JSON.parse(await readFile(file, 'utf8')) as BenchReport;
    expect(json.suites[0].layers[0].measurements.map((m) => [m.contender, m.status, m.details.kernel])).toEqual([
      ['cpu-tiled[js]', 'ok', 'js'],
      ['workers[wasm-simd]', 'ok', 'wasm-simd'],
      ['cpu-tiled', 'ok', 'wasm-simd'],
    ]);
    expect(await main(['node', 'cli', '--shape', '16x4x4:8', '--kernel', 'avx', '--no-progress'], io)).toBe(EXIT_USAGE);
    // commander's message goes to the CLI's stderr (not the process's: a passing test run printed it).
    expect(err.text()).toMatch(/option '--kernel <list>' argument 'avx' is invalid/);
    expect(await main(['node', 'cli', '--shape', '16x4x4:8', '--backends', 'cpu-tiled[avx]', '--no-progress'], io)).toBe(EXIT_USAGE);
  });

  it("takes core's full selection syntax: key=value options, the workers pool preset, one contender per configuration", async () => {
    const err = sink();
    const file = join(dir, 'syntax.json');
    const io = { stdout: sink().stream, stderr: err.stream as unknown as NodeJS.WriteStream };
    const status = await main(
      ['node', 'cli', '--shape', '16x4x4:8', '--backends', 'workers[threads=2,kernel=js],workers[pool],cpu-tiled,workers[kernel=js,threads=2],naive', '--threads', '1',
        '--repeat', '3', '--min-time', '1', '--warmup', '1', '--no-progress', '--json', file],
      io,
    );
    expect(status, err.text()).toBe(0);
    const json = JSON.parse(await readFile(file, 'utf8')) as BenchReport;
    const rows = json.suites[0].layers[0].measurements.map((m) => [m.contender, m.status, m.details.kernel, m.details.dispatch, m.details.poolThreads]);
    expect(rows).toEqual([
      ['workers[js,threads=2]', 'ok', 'js', 'calling-thread', 1],
      ['workers[pool]', 'ok', 'wasm-simd', 'pool', 3],
      ['cpu-tiled', 'ok', 'wasm-simd', undefined, undefined],
      ['naive', 'ok', 'js-loops', undefined, undefined],
    ]);
  });

  it('rejects options a backend does not accept with the usage status, naming the entry', async () => {
    for (const [backends, message] of [
      ['workers[threads=0]', /^error: --backends: workers\[threads=0\]: threads: expected/],
      ['cpu-tiled,gpujs[metal]', /^error: --backends: gpujs\[metal\]: mode: expected/],
      ['workers[therads=2]', /^error: --backends: workers\[therads=2\]: options\.therads: expected one of the known options/],
      ['workers[js', /^error: --backends: expected balanced, unnested brackets/],
      ['ort-mt[threads=2]', /^error: --backends: expected the peer ort-mt without options/],
    ] as const) {
      const err = sink();
      const out = sink();
      expect(await main(['node', 'cli', '--shape', '8x4x4:8', '--backends', backends, '--no-progress'], { stdout: out.stream, stderr: err.stream as unknown as NodeJS.WriteStream })).toBe(
        EXIT_USAGE,
      );
      expect(err.text()).toMatch(message);
      expect(err.text().trim().split('\n')).toHaveLength(1);
      expect(out.text()).toBe('');
    }
  });

  it('runs a peer named in --backends even with --no-peers', async () => {
    const err = sink();
    const file = join(dir, 'no-peers.json');
    const status = await main(
      ['node', 'cli', '--shape', '8x4x4:8', '--backends', 'reference,naive', '--no-peers', '--repeat', '3', '--min-time', '1', '--warmup', '1',
        '--no-progress', '--json', file],
      { stdout: sink().stream, stderr: err.stream as unknown as NodeJS.WriteStream },
    );
    expect(status, err.text()).toBe(0);
    const json = JSON.parse(await readFile(file, 'utf8')) as BenchReport;
    expect(json.suites[0].layers[0].measurements.map((m) => [m.contender, m.status])).toEqual([
      ['reference', 'ok'],
      ['naive', 'ok'],
    ]);
  });

  it('writes a relative output path into the directory pnpm was run in (INIT_CWD)', async () => {
    const saved = process.env.INIT_CWD;
    process.env.INIT_CWD = dir;
    try {
      const err = sink();
      const status = await main(
        ['node', 'cli', '--shape', '4x2x2:4', '--backends', 'reference', '--repeat', '3', '--min-time', '1', '--warmup', '1', '--no-progress',
          '--markdown', 'relative.md'],
        { stdout: sink().stream, stderr: err.stream as unknown as NodeJS.WriteStream },
      );
      expect(status, err.text()).toBe(0);
      expect(await readFile(join(dir, 'relative.md'), 'utf8')).toContain('4→4 @2²');
    } finally {
      if (saved === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = saved;
    }
  });

  it('rejects an unknown backend and a malformed shape with the usage status', async () => {
    const err = sink();
    const io = { stdout: sink().stream, stderr: err.stream as unknown as NodeJS.WriteStream };
    expect(await main(['node', 'cli', '--shape', '8x4x4:8', '--backends', 'nope', '--no-progress'], io)).toBe(EXIT_USAGE);
    expect(err.text()).toMatch(/--backends: expected names among .*cpu-tiled.*received "nope"/);
    expect(await main(['node', 'cli', '--shape', '8x4:8', '--no-progress'], io)).toBe(EXIT_USAGE);
  });

  it('rejects before running, with the usage status: a missing shape file, an unwritable output path, duplicate or oversized shapes', async () => {
    const err = sink();
    const out = sink();
    const io = { stdout: out.stream, stderr: err.stream as unknown as NodeJS.WriteStream };
    expect(await main(['node', 'cli', '--shape-file', join(dir, 'missing.json'), '--no-progress'], io)).toBe(EXIT_USAGE);
    expect(err.text()).toMatch(/--shape-file: expected a readable file \(ENOENT\)/);
    expect(await main(['node', 'cli', '--shape', '8x4x4:8', '--backends', 'naive', '--no-progress', '--json', join(dir, 'no', 'dir', 'x.json')], io)).toBe(
      EXIT_USAGE,
    );
    expect(err.text()).toMatch(/--json: expected a file in an existing directory/);
    expect(await main(['node', 'cli', '--shape', '8x4x4:8:relu:relu6:s2:s3', '--backends', 'naive', '--no-progress'], io)).toBe(EXIT_USAGE);
    expect(err.text()).toMatch(/at most one activation option/);
    expect(await main(['node', 'cli', '--shape', '99999x9999x9999:99999', '--backends', 'naive', '--no-progress'], io)).toBe(EXIT_USAGE);
    expect(err.text()).toMatch(/at most 536870912 float32 elements/);
    expect(out.text()).toBe('');
  });

  it('shows readable defaults in --help', () => {
    const help = helpText();
    expect(help).not.toMatch(/default: \[/);
    expect(help).toMatch(/--shape <shapes>[^]*\(default: none\)/);
    expect(help).toMatch(/--gpujs-mode <modes>[^]*\(default: auto\)/);
  });
});
