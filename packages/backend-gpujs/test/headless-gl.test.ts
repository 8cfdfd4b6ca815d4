import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BackendUnavailableError } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { GpujsBackend } from '../src/gpujs-backend.js';
import { fakeGpujs } from './fake-gpujs.js';
import { HEADLESS_GL_HOWTO, loadHeadlessGl, type HeadlessGlLoad } from '../src/headless-gl.js';

function backend(mode: 'headlessgl' | 'auto', gl: HeadlessGlLoad): GpujsBackend {
  return new GpujsBackend({ mode }, { load: async () => ({ ok: true, gpujs: fakeGpujs() }), loadGl: async () => gl });
}

async function reasonOf(b: GpujsBackend): Promise<string> {
  const availability = await b.probe();
  expect(availability.available).toBe(false);
  return availability.available ? '' : availability.reason;
}

const MISSING: HeadlessGlLoad = { state: 'missing', detail: "Cannot find module 'gl'" };
const UNBUILT: HeadlessGlLoad = { state: 'unbuilt', detail: 'Could not locate the bindings file' };

describe('headlessgl unavailable because gpu.js\'s optional "gl" package is missing or unbuilt (gl check injected)', () => {
  it('asked for by name: the reason says gl is not installed and how to get it; init() throws it', async () => {
    const expected =
      'gpu.js mode "headlessgl" is not supported here (supported: "webasm", "cpu"); ' +
      `gpu.js's optional "gl" package (headless GL) is not installed (Cannot find module 'gl'); ${HEADLESS_GL_HOWTO}`;
    expect(await reasonOf(backend('headlessgl', MISSING))).toBe(expected);
    for (const needed of ['libx11-dev libxi-dev libxext-dev pkg-config', 'npm_config_nodedir=/usr', 'xvfb-run -a']) expect(HEADLESS_GL_HOWTO).toContain(needed);
    const error = await backend('headlessgl', MISSING)
      .init()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).attempts).toEqual([{ backend: 'gpujs', reason: expected }]);
  });

  it('installed but not built: the reason says its native addon does not load, with the loader message', async () => {
    expect(await reasonOf(backend('headlessgl', UNBUILT))).toBe(
      'gpu.js mode "headlessgl" is not supported here (supported: "webasm", "cpu"); ' +
        `gpu.js's optional "gl" package (headless GL) is installed but its native addon does not load (Could not locate the bindings file); ${HEADLESS_GL_HOWTO}`,
    );
  });

  it('auto mode on a machine without gl says so too', async () => {
    expect(await reasonOf(backend('auto', MISSING))).toBe(
      'auto mode: gpu.js reaches no GPU mode here, only "webasm", "cpu"; ask for { mode: "webasm" } or { mode: "cpu" } by name to use them' +
        `; gpu.js's optional "gl" package (headless GL) is not installed (Cannot find module 'gl'); ${HEADLESS_GL_HOWTO}`,
    );
  });

  it('with gl loading (or its state unknown, as in a browser) the reason does not blame gl', async () => {
    for (const gl of [{ state: 'loaded' }, { state: 'unknown' }] as const) {
      const reason = await reasonOf(backend('headlessgl', gl));
      expect(reason).toMatch(/^gpu\.js mode "headlessgl" is not supported here \(supported: "webasm", "cpu"\)/);
      expect(reason).not.toContain('"gl" package');
    }
  });
});

describe('loadHeadlessGl on this machine', () => {
  it('answers loaded exactly when gl resolves from gpu.js and its native addon is built', async () => {
    // Independent of the loader: find gl from gpu.js's folder and look for node-gyp's output.
    const fromGpujs = createRequire(createRequire(import.meta.url).resolve('gpu.js'));
    let glDir: string | undefined;
    try {
      glDir = dirname(fromGpujs.resolve('gl/package.json'));
    } catch {
      glDir = undefined;
    }
    const load = await loadHeadlessGl();
    if (glDir === undefined) expect(load.state).toBe('missing');
    else expect(load.state).toBe(existsSync(join(glDir, 'build', 'Release', 'webgl.node')) ? 'loaded' : 'unbuilt');
  });
});
