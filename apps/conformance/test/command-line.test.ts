import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createConformanceRegistry } from '../src/backends.js';
import { parseCaseFile } from '../src/catalogue/case-file.js';
import { loadCaseFiles } from '../src/command-line/case-files.js';
import { withGpujsCliHint } from '../src/command-line/gpujs-hint.js';
import { assertSomethingSelected, runOutcome } from '../src/command-line/outcome.js';
import { parseCliArgs } from '../src/command-line/settings.js';
import { UsageError } from '../src/command-line/usage-error.js';

const { registry } = await createConformanceRegistry();
const context = { env: {}, cwd: '/repo', registry };
afterAll(async () => {
  await registry.dispose();
});
const parse = (argv: string[], env: Record<string, string> = {}) => parseCliArgs(argv, { ...context, env });

/** One small case in a temporary file; `expected` decides whether it passes. */
async function caseFile(expected: number[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pointwise-cli-'));
  const path = join(dir, 'cases.json');
  const record = { name: 'tiny', inputShape: [1, 2, 1, 1], outChannels: 1, input: { values: [1, 2] }, weights: { values: [3, 4] } };
  await writeFile(path, JSON.stringify([{ ...record, expected: { output: { values: expected }, tolerance: { atol: 0 } } }]));
  return path;
}

describe('command line', () => {
  it('runs only the file tier for --cases without --tier, and adds file to an explicit --tier', () => {
    expect(parse(['--cases', 'a.json'])?.tiers).toEqual(['file']);
    expect(parse(['--cases', 'a.json', '--tier', 'edge'])?.tiers).toEqual(['edge', 'file']);
    expect(parse([])?.tiers).toEqual(['edge', 'layers', 'network', 'property', 'errors']);
    expect(parse(['--', '--tier', 'edge'])?.tiers).toEqual(['edge']);
  });

  it('resolves --cases and --json against INIT_CWD, else the working directory', () => {
    expect(parse(['--cases', 'a.json', '--json', 'out/r.json'], { INIT_CWD: '/home/me' })).toMatchObject({
      cases: ['/home/me/a.json'],
      json: '/home/me/out/r.json',
    });
    expect(parse(['--cases', 'a.json', '--cases', '/abs/b.json'])?.cases).toEqual(['/repo/a.json', '/abs/b.json']);
  });

  it('takes for --image only a photograph of the demo folder, checked before anything runs when the network tier does', () => {
    expect(parse(['--image', 'sample2.jpg'])?.image).toBe('sample2.jpg');
    // Was accepted: each of the 29 network cases then failed, blamed on the backend (or read a file outside demo/).
    for (const image of ['nonexist.jpg', '../../../etc/passwd', 'index.js', '']) {
      expect(() => parse(['--image', image]), image).toThrow(UsageError);
    }
    expect(() => parse(['--image', 'nonexist.jpg'])).toThrow(/^--image: expected a photograph of @vladmandic\/face-api's demo\/ folder \(.*sample1\.jpg.*\), received "nonexist\.jpg"$/);
    expect(parse(['--image', 'nonexist.jpg', '--tier', 'edge'])?.image).toBe('nonexist.jpg');
  });

  it('takes the backends from POINTWISE_BACKEND unless --backends is given', () => {
    expect(parse([], { POINTWISE_BACKEND: 'cpu-tiled, workers' })).toMatchObject({ backends: ['cpu-tiled', 'workers'], backendsFrom: 'POINTWISE_BACKEND' });
    expect(parse(['--backends', 'reference'], { POINTWISE_BACKEND: 'cpu-tiled' })).toMatchObject({ backends: ['reference'], backendsFrom: '--backends' });
    expect(parse([])?.backends).toBeUndefined();
  });

  it.each([
    [['--backends', 'nonesuch'], /--backends: unknown backend "nonesuch"/],
    [['--tier', 'banana'], /--tier: .*received "banana"/],
    [['--bogus'], /unknown option '--bogus'/],
    [['--network-size', '0'], /--network-size.*from 32 to 2048/],
    [['--network-size', '4096'], /--network-size.*from 32 to 2048/],
    [['--runs', '0'], /--runs.*from 1 to 100000/],
    [['--seed', '-1'], /--seed/],
    [['--runs'], /argument missing/],
    [['--backends', 'cpu-tiled[avx]'], /^--backends: cpu-tiled\[avx\]: kernel: expected "js" or "wasm-relaxed-simd" or "wasm-simd", received "avx"$/],
    [['--backends', 'cpu-tiled[pool]'], /^--backends: cpu-tiled\[pool\]: kernel: expected "js" or "wasm-relaxed-simd" or "wasm-simd", received "pool"$/],
    [['--backends', 'workers[js,wasm-simd]'], /^--backends: workers\[js,wasm-simd\]: expected .*key=value options or the presets pool, received "wasm-simd"$/],
    [['--backends', 'nonesuch[js]'], /^--backends: unknown backend "nonesuch" \(known: reference, cpu-tiled, workers, gpujs\)$/],
    [['--backends', 'gpujs[metal]'], /^--backends: gpujs\[metal\]: mode: expected .*received "metal"$/],
    [['--backends', 'gpujs[cpu'], /^--backends: expected balanced, unnested brackets, received "gpujs\[cpu"$/],
    [['--backends', 'workers[threads=0,kernel=js]'], /^--backends: workers\[kernel=js,threads=0\]: threads: expected/],
    [['--backends', 'workers[therads=4]'], /^--backends: workers\[therads=4\]: options\.therads: expected one of the known options/],
    [['--backends', 'workers[threads=2,threads=3]'], /^--backends: expected key=value options with distinct keys in workers\[…\]/],
    [['--backends', 'cpu-tiled[js]]'], /^--backends: expected balanced, unnested brackets/],
  ])('rejects %j with a one-line usage error', (argv, message) => {
    expect(() => parse(argv)).toThrow(UsageError);
    expect(() => parse(argv)).toThrow(message);
    try {
      parse(argv);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('rejects an unknown name or bad options in POINTWISE_BACKEND, naming the variable', () => {
    expect(() => parse([], { POINTWISE_BACKEND: 'cpu-tiled,gpu' })).toThrow(/POINTWISE_BACKEND: unknown backend "gpu"/);
    expect(() => parse([], { POINTWISE_BACKEND: 'workers[js],gpujs[metal]' })).toThrow(UsageError);
    expect(() => parse([], { POINTWISE_BACKEND: 'workers[js],gpujs[metal]' })).toThrow(/^POINTWISE_BACKEND: gpujs\[metal\]: mode: expected/);
    expect(() => parse([], { POINTWISE_BACKEND: 'workers[kernel=js' })).toThrow(/^POINTWISE_BACKEND: expected balanced, unnested brackets/);
  });

  it("checks --gpujs-mode against the gpujs package's modes", () => {
    expect(() => parse(['--gpujs-mode', 'foo'])).toThrow(/--gpujs-mode: expected "auto" or one of .*"cpu".*received "foo"/);
    expect(() => parse(['--gpujs-mode', 'cpu,metal'])).toThrow(/received "metal"/);
    expect(parse(['--gpujs-mode', 'cpu'])?.gpujsModes).toEqual(['cpu']);
  });

  it('runs every configuration by default: each microkernel, workers forced onto the pool, gpu.js auto and its software modes', () => {
    expect(parse([])?.configurations.map((c) => c.name)).toEqual([
      'reference',
      'cpu-tiled[js]',
      'cpu-tiled[wasm-simd]',
      'workers[js]',
      'workers[wasm-simd]',
      'workers[js,pool]',
      'workers[wasm-simd,pool]',
      'gpujs[auto]',
      'gpujs[webasm]',
      'gpujs[cpu]',
    ]);
    expect(parse([])?.backends).toBeUndefined();
  });

  it('takes bracketed configurations in --backends and POINTWISE_BACKEND, canonical and without duplicates', () => {
    const settings = parse(['--backends', 'cpu-tiled[js],workers[pool,js]', '--backends', 'workers[js,pool],gpujs[cpu],reference']);
    expect(settings?.backends).toEqual(['cpu-tiled[js]', 'workers[js,pool]', 'gpujs[cpu]', 'reference']);
    expect(settings?.configurations[1]).toMatchObject({ backend: 'workers', options: { kernel: 'js', minParallelFlops: 0, callerComputes: false }, expectedDetails: { kernel: 'js', dispatch: 'pool', callerComputes: false } });
    expect(parse([], { POINTWISE_BACKEND: 'workers[pool], gpujs[webasm]' })?.backends).toEqual(['workers[pool]', 'gpujs[webasm]']);
  });

  it('takes the full selection syntax in --backends: key=value options, presets and words mixed, in the short canonical form', () => {
    const settings = parse(['--backends', 'workers[threads=2,kernel=js],gpujs[webasm],cpu-tiled,workers[pool,kernel=wasm-simd]']);
    expect(settings?.backends).toEqual(['workers[js,threads=2]', 'gpujs[webasm]', 'cpu-tiled', 'workers[wasm-simd,pool]']);
    expect(settings?.configurations.map((c) => c.configuration)).toEqual([
      'workers[kernel=js,threads=2]',
      'gpujs[mode=webasm]',
      'cpu-tiled',
      'workers[callerComputes=false,kernel=wasm-simd,minParallelFlops=0,minTileFlops=1,threads=3]',
    ]);
    expect(settings?.configurations[0]).toMatchObject({ backend: 'workers', options: { kernel: 'js', threads: 2 }, expectedDetails: { kernel: 'js' } });
    expect(settings?.configurations[3].expectedDetails).toEqual({ kernel: 'wasm-simd', callerComputes: false, dispatch: 'pool' });
    // The same configuration spelt three ways is one row.
    expect(parse(['--backends', 'workers[js,pool],workers[pool,kernel=js]', '--backends', 'workers[callerComputes=false,kernel=js,minParallelFlops=0,minTileFlops=1,threads=3]'])?.backends).toEqual([
      'workers[js,pool]',
    ]);
  });

  it('takes bracketed and key=value entries from POINTWISE_BACKEND, with commas inside brackets', () => {
    const settings = parse([], { POINTWISE_BACKEND: 'workers[threads=2,kernel=js], gpujs[mode=cpu],reference' });
    expect(settings).toMatchObject({ backends: ['workers[js,threads=2]', 'gpujs[cpu]', 'reference'], backendsFrom: 'POINTWISE_BACKEND' });
    expect(settings?.configurations[1]).toMatchObject({ configuration: 'gpujs[mode=cpu]', expectedDetails: { mode: 'cpu' } });
  });

  it('applies --gpujs-mode to a plain gpujs only, as core-syntax entries', () => {
    const one = parse(['--backends', 'gpujs,gpujs[webasm]', '--gpujs-mode', 'cpu']);
    expect(one?.backends).toEqual(['gpujs', 'gpujs[webasm]']);
    expect(one?.configurations.map((c) => c.configuration)).toEqual(['gpujs[mode=cpu]', 'gpujs[mode=webasm]']);
    expect(one?.configurations[0].expectedDetails).toEqual({ mode: 'cpu' });
    expect(parse(['--backends', 'gpujs[mode=webgl2]', '--gpujs-mode', 'cpu,webasm'])?.backends).toEqual(['gpujs[webgl2]']);
  });

  it('runs a plain gpujs once per mode for several --gpujs-mode values, and in the one mode given otherwise', () => {
    expect(parse(['--backends', 'cpu-tiled,gpujs', '--gpujs-mode', 'cpu,webasm'])?.backends).toEqual(['cpu-tiled', 'gpujs[cpu]', 'gpujs[webasm]']);
    expect(parse(['--backends', 'gpujs', '--gpujs-mode', 'cpu'])?.backends).toEqual(['gpujs']);
    expect(parse(['--gpujs-mode', 'cpu,webasm'])?.configurations.filter((c) => c.backend === 'gpujs').map((c) => c.name)).toEqual(['gpujs[cpu]', 'gpujs[webasm]']);
    expect(parse(['--gpujs-mode', 'webasm'])?.configurations.filter((c) => c.backend === 'gpujs').map((c) => c.name)).toEqual(['gpujs']);
  });

  it('adds the CLI spelling to the gpujs library hint', () => {
    expect(withGpujsCliHint('only "webasm", "cpu"; ask for { mode: "webasm" } or { mode: "cpu" } by name')).toBe(
      'only "webasm", "cpu"; ask for { mode: "webasm" } or { mode: "cpu" } by name; from this CLI: --backends gpujs[webasm] or --backends gpujs[cpu] (or --gpujs-mode webasm,cpu)',
    );
    expect(withGpujsCliHint('gpu.js could not be loaded')).toBe('gpu.js could not be loaded');
  });
});

describe('case file errors', () => {
  it('names the file for a missing file and invalid JSON', async () => {
    await expect(loadCaseFiles(['/nonexistent/cases.json'])).rejects.toThrow(/^--cases: cannot read \/nonexistent\/cases\.json: ENOENT/);
    const dir = await mkdtemp(join(tmpdir(), 'pointwise-cli-'));
    await writeFile(join(dir, 'bad.json'), '{ "cases": [ ');
    await expect(loadCaseFiles([join(dir, 'bad.json')])).rejects.toThrow(/bad\.json is not valid JSON/);
  });

  it('names the file, record and field for a missing or invalid field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pointwise-cli-'));
    await writeFile(join(dir, 'f.json'), JSON.stringify([{ name: 'x', inputShape: [1, 1, 1, 1], outChannels: 1, input: { values: [1] } }]));
    await expect(loadCaseFiles([join(dir, 'f.json')])).rejects.toThrow(/f\.json: cases\[0\]\.weights: expected a data source/);
    const record = { name: 'x', inputShape: [1, 1, 1, 1], outChannels: 1, input: { values: [1] }, weights: { values: [1] } };
    expect(() => parseCaseFile([{ ...record, inputLayout: 'NCWH' }], 'g.json')).toThrow(/g\.json: cases\[0\]\.inputLayout/);
    expect(() => parseCaseFile([{ ...record, bias: 3 }], 'g.json')).toThrow(/g\.json: cases\[0\]\.bias/);
  });

  it('defaults inputLayout to NCHW, as core does', () => {
    const [c] = parseCaseFile([{ name: 'x', inputShape: [1, 1, 1, 1], outChannels: 1, input: { values: [1] }, weights: { values: [1] } }], 'h.json');
    expect(c.inputLayout).toBe('NCHW');
  });
});

describe('run outcome', () => {
  const passed = { case: 'a', tier: 'edge', backend: 'x', status: 'passed', ms: 1 } as const;
  const failed = { ...passed, status: 'failed', reason: 'r' } as const;
  const skipped = { ...passed, status: 'skipped', reason: 'r' } as const;

  it('is 0 when checks passed, 1 on a failure, 2 when nothing was checked', () => {
    const up = [{ name: 'x', available: true }];
    expect(runOutcome([passed, skipped], up).code).toBe(0);
    expect(runOutcome([passed, failed], up).code).toBe(1);
    expect(runOutcome([skipped], up)).toEqual({ code: 2, message: 'nothing was checked: every check was skipped' });
    expect(runOutcome([], [{ name: 'gpujs', available: false }]).message).toMatch(/no requested backend is available \(gpujs\)/);
  });

  it('refuses an empty selection', () => {
    expect(() => assertSomethingSelected(0, { tiers: ['file'], caseFiles: 0 })).toThrow(/nothing matched.*needs --cases/);
    expect(() => assertSomethingSelected(0, { tiers: ['edge'], filter: 'zzzz', caseFiles: 0 })).toThrow(/nothing matched: no case in tiers edge with --filter "zzzz"/);
    expect(() => assertSomethingSelected(1, { tiers: ['edge'], caseFiles: 0 })).not.toThrow();
  });
});

describe('cli.js exit codes', () => {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const run = async (argv: string[], env: Record<string, string> = {}) => {
    try {
      const { stdout, stderr } = await promisify(execFile)('node', [cli, '--quiet', ...argv], { env: { ...process.env, ...env } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('exits 2 with one line for a bad command line and for a selection that matches nothing', async () => {
    for (const argv of [['--bogus'], ['--gpujs-mode', 'foo'], ['--filter', 'zzzz'], ['--tier', 'file'], ['--backends', 'workers[threads=0]', '--tier', 'edge']]) {
      const { code, stdout, stderr } = await run(argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('exits 2 with one line, before any case runs, for a --json that cannot be written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pointwise-cli-'));
    // Was: every case run, then a stack trace from writeFile.
    for (const [json, message] of [
      [dir, `--json: expected a file, received the directory ${dir}`],
      [join(dir, 'missing', 'r.json'), `--json: ${join(dir, 'missing')} is not an existing directory, so ${join(dir, 'missing', 'r.json')} cannot be written`],
    ]) {
      const { code, stdout, stderr } = await run(['--backends', 'reference', '--tier', 'edge', '--json', json]);
      expect(code, json).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim()).toBe(`pointwise-conformance: error: ${message} (see --help)`);
    }
  });

  it('exits 2 naming the variable for bad options in POINTWISE_BACKEND', async () => {
    const { code, stdout, stderr } = await run(['--tier', 'edge'], { POINTWISE_BACKEND: 'cpu-tiled[kernel=avx]' });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim()).toBe('pointwise-conformance: error: POINTWISE_BACKEND: cpu-tiled[kernel=avx]: kernel: expected "js" or "wasm-relaxed-simd" or "wasm-simd", received "avx" (see --help)');
  });

  it('exits 0 for a passing case file on the POINTWISE_BACKEND backends, 1 when a case fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pointwise-cli-'));
    const good = await run(['--cases', await caseFile([11]), '--no-witnesses', '--json', 'r.json'], { POINTWISE_BACKEND: 'cpu-tiled,workers[threads=2,kernel=js]', INIT_CWD: dir });
    expect(good.code).toBe(0);
    const json = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as { tiers: string[]; backends: { name: string }[]; results: { status: string }[] };
    expect(json.tiers).toEqual(['file']);
    expect(json.backends.map((b) => b.name)).toEqual(['cpu-tiled', 'workers[js,threads=2]']);
    expect(json.results.map((r) => r.status)).toEqual(['passed', 'passed']);
    expect(good.stdout).toMatch(/Backends from POINTWISE_BACKEND: cpu-tiled, workers\[js,threads=2\]/);
    const bad = await run(['--cases', await caseFile([12]), '--backends', 'reference', '--no-witnesses']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/✗ \[reference\] file\/tiny: .*expected output/);
  });

  it('exits 0 when a case hits a declared witness difference: clamp(1, 1) on NaN with TF.js, cpu-tiled and workers right', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pointwise-cli-'));
    const path = join(dir, 'clamp.json');
    const record = {
      name: 'clamp-equal-bounds-nan',
      inputShape: [1, 2, 1, 2],
      outChannels: 2,
      options: { activation: { type: 'clamp', min: 1, max: 1 } },
      input: { values: ['NaN', 2, -3, 0.5] },
      weights: { values: [1, 0, 0, 1] },
    };
    await writeFile(path, JSON.stringify({ cases: [record] }));
    const result = await run(['--cases', path, '--backends', 'cpu-tiled,workers[pool]']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/1 × witness:tfjs: known difference \(2 of 4 elements\): TF\.js's clipByValue fills the constant when min == max/);
    expect(result.stdout).toMatch(/│ workers\[pool\] +│ 1 ✓/);
    expect(result.stdout).toMatch(/4 results: 3 passed, 0 failed, 1 skipped/);
  });
});
