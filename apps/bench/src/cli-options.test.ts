import { describe, expect, it, vi } from 'vitest';
import { MAX_THREADS } from '@pointwise/backend-workers';
import { EXIT_USAGE, MAX_CLI_THREADS, main } from './cli-program.js';

/** Runs the CLI with `args`, collecting what it (and commander, which writes to process.stderr) writes to stderr. */
async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const collect = (s: string | Uint8Array) => ((stderr += String(s)), true);
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(collect as never);
  try {
    const io = { stdout: { write: () => true }, stderr: { write: collect } } as never;
    return { code: await main(['node', 'cli.js', ...args], io), stderr };
  } finally {
    spy.mockRestore();
  }
}

describe('--min-sample', () => {
  it('rejects what is not a decimal number ≥ 0, before anything runs', async () => {
    for (const value of ['-1', 'NaN', 'Infinity', '0x10', '', 'abc']) {
      const { code, stderr } = await run(['--min-sample', value, '--suite', 'latency', '--backends', 'naive']);
      expect(code, value).toBe(EXIT_USAGE);
      expect(stderr, value).toContain(`expected a decimal number ≥ 0, received "${value}"`);
    }
  });
});

describe('--threads', () => {
  it('rejects more threads than the workers backend takes, before anything runs (ort-mt would start them all)', async () => {
    expect(MAX_CLI_THREADS).toBe(MAX_THREADS);
    for (const value of ['0', '257', '100000', '1.5']) {
      const { code, stderr } = await run(['--threads', value, '--suite', 'latency', '--backends', 'ort-mt']);
      expect(code, value).toBe(EXIT_USAGE);
      expect(stderr, value).toContain(`expected an integer from 1 to 256, received "${value}"`);
    }
  });
});

describe('output files', () => {
  it("rejects an empty path, before anything runs, rather than writing nothing (it ran and exited 0)", async () => {
    for (const option of ['--json', '--markdown', '--html', '--wisdom-out']) {
      const { code, stderr } = await run([option, '', '--suite', 'latency', '--backends', 'naive']);
      expect(code, option).toBe(EXIT_USAGE);
      expect(stderr, option).toMatch(new RegExp(`^error: ${option}: expected a file, not a directory, received "`));
    }
  });
});

describe('--chain-size', () => {
  it('rejects a stack whose tensors exceed the layer limit, before anything runs (it was a RangeError stack after the suites)', async () => {
    const { code, stderr } = await run(['--chain', 'mobilenet-v2', '--chain-size', '1000000000', '--shape', '4x2x2:4', '--backends', 'naive']);
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toMatch(/^error: --chain-size 1000000000: mobilenet-v2 .*: layer input N·Ci·H·W: expected at most 536870912 float32 elements \(2 GiB per tensor\), received 32000000000000000000\n$/);
  });
});

describe('--suite', () => {
  it('rejects a list that names no suite (",", " "), rather than running nothing and exiting 0', async () => {
    for (const value of [',', ' ', ' , ']) {
      const { code, stderr } = await run(['--suite', value, '--backends', 'naive']);
      expect(code, JSON.stringify(value)).toBe(EXIT_USAGE);
      expect(stderr, JSON.stringify(value)).toMatch(/^error: --suite: expected at least one of default, .*, or --shape \/ --shape-file, received "/);
    }
  });

  it('still runs custom layers alone when --suite names nothing', async () => {
    const { code } = await run(['--suite', ',', '--shape', '4x2x2:4', '--backends', 'naive', '--repeat', '1', '--min-time', '0', '--warmup', '0', '--no-progress', '--no-variants']);
    expect(code).toBe(0);
  });
});
