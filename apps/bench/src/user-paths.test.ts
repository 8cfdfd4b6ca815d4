import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@pointwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutputPath, userDirectory, userPath } from './user-paths.js';

describe('userPath', () => {
  it('resolves against INIT_CWD when pnpm set it, else the working directory', () => {
    expect(userDirectory({ INIT_CWD: '/home/me/project' })).toBe('/home/me/project');
    expect(userPath('out/r.json', { INIT_CWD: '/home/me/project' })).toBe('/home/me/project/out/r.json');
    expect(userPath('/abs/r.json', { INIT_CWD: '/home/me' })).toBe('/abs/r.json');
    expect(userPath('r.json', {})).toBe(join(process.cwd(), 'r.json'));
  });
});

describe('checkOutputPath', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pointwise-paths-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'locked.json'), '{}');
    await chmod(join(dir, 'locked.json'), 0o444);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts a new or existing writable file in an existing directory', async () => {
    await expect(checkOutputPath('--json', join(dir, 'new.json'))).resolves.toBeUndefined();
  });

  it('rejects a missing directory, a directory and (as a non-root user) a read-only file', async () => {
    await expect(checkOutputPath('--json', join(dir, 'nope', 'x.json'))).rejects.toThrow(/--json: expected a file in an existing directory/);
    await expect(checkOutputPath('--html', join(dir, 'sub'))).rejects.toThrow(InvalidArgumentError);
    const root = process.getuid?.() === 0;
    const readOnly = checkOutputPath('--markdown', join(dir, 'locked.json'));
    if (root) await expect(readOnly).resolves.toBeUndefined();
    else await expect(readOnly).rejects.toThrow(/read-only/);
  });
});
