import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { EXIT_FAILURE, main } from './cli-program.js';

// writeFile fails for a path ending in `.fail` (a full disk or an I/O error after the pre-run check passed).
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    writeFile: async (path: string, ...rest: unknown[]) => {
      if (String(path).endsWith('.fail')) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
      return (fs.writeFile as (...args: unknown[]) => Promise<void>)(path, ...rest);
    },
  };
});

const directory = await mkdtemp(join(os.tmpdir(), 'bench-output-'));
afterAll(() => rm(directory, { recursive: true, force: true }));

describe('output files that cannot be written after the run', () => {
  it('are one line each and exit status 3, and the other files are still written', async () => {
    let stderr = '';
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => ((stderr += s), true) } } as never;
    const json = join(directory, 'out.json.fail');
    const markdown = join(directory, 'out.md');
    const args = ['--shape', '4x2x2:4', '--backends', 'naive', '--repeat', '1', '--min-time', '0', '--warmup', '0', '--no-progress', '--json', json, '--markdown', markdown];
    // Was: the stack of the EIO error (exit 3), and no Markdown file, since the JSON came first.
    expect(await main(['node', 'cli.js', ...args], io)).toBe(EXIT_FAILURE);
    expect(stderr).toBe(`error: --json: cannot write ${json}: EIO\n`);
    expect(await readFile(markdown, 'utf8')).toContain('| 4→4 @2² |');
  });
});
