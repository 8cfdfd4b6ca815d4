/**
 * Whether gpu.js's optional `gl` package (stack-gl's headless-gl, the native
 * addon behind the `headlessgl` mode) can be loaded, and what to tell a user
 * when it cannot. gpu.js swallows the failure of its `require('gl')`
 * (`src/backend/headless-gl/kernel.js`) and only reports `isSupported: false`,
 * which alone cannot tell a missing package from a missing X display.
 */

/**
 * The outcome of loading `gl` the way gpu.js does (`require('gl')` from gpu.js's own folder):
 * - `loaded`: it loads (a missing display is then the likely cause of an unsupported headlessgl);
 * - `missing`: the package is not installed (not resolvable from gpu.js);
 * - `unbuilt`: it is installed but its native addon does not load (not built, or built for another Node);
 * - `unknown`: not Node, or the check itself could not run (a bundle without `require`).
 * `detail` is the loader's own error message.
 */
export type HeadlessGlLoad =
  | { readonly state: 'loaded' | 'unknown' }
  | { readonly state: 'missing' | 'unbuilt'; readonly detail: string };

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

/**
 * Tries to load `gl` as gpu.js does. Never throws; in a browser it answers
 * `unknown` without touching any Node module (the `node:module` specifier is
 * in a variable so bundlers leave it alone).
 */
export async function loadHeadlessGl(): Promise<HeadlessGlLoad> {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (typeof proc?.versions?.node !== 'string') return { state: 'unknown' };
  let require: NodeJS.Require;
  try {
    const specifier = 'node:module';
    const { createRequire } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as typeof import('node:module');
    // `gl` is gpu.js's optional dependency: resolve it from gpu.js's folder, as its require('gl') does.
    require = createRequire(createRequire(import.meta.url).resolve('gpu.js'));
  } catch {
    return { state: 'unknown' };
  }
  try {
    require.resolve('gl');
  } catch (error) {
    return { state: 'missing', detail: message(error) };
  }
  try {
    require('gl');
    return { state: 'loaded' };
  } catch (error) {
    return { state: 'unbuilt', detail: message(error) };
  }
}

/** How to get a working `gl`: the Debian build dependencies, the Node headers and an X display. */
export const HEADLESS_GL_HOWTO =
  'to get it: install the Debian packages libx11-dev libxi-dev libxext-dev pkg-config (and python3, make, g++), ' +
  'install or rebuild gl with npm_config_nodedir=/usr so it builds from source against the system Node headers ' +
  '(pnpm runs its build only when allowBuilds lists gl: true), and run under an X display: xvfb-run -a';

/**
 * The sentence an unavailability reason appends when `headlessgl` cannot run
 * because `gl` is missing or unbuilt (`'; gpu.js's optional "gl" package … xvfb-run -a'`),
 * or `''` when `gl` loads or its state is unknown.
 */
export function headlessGlHint(load: HeadlessGlLoad): string {
  if (load.state === 'missing') return `; gpu.js's optional "gl" package (headless GL) is not installed (${load.detail}); ${HEADLESS_GL_HOWTO}`;
  if (load.state === 'unbuilt') return `; gpu.js's optional "gl" package (headless GL) is installed but its native addon does not load (${load.detail}); ${HEADLESS_GL_HOWTO}`;
  return '';
}
