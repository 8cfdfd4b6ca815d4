import type { GpuJsKernelClass } from './gpujs-api.js';

/** What the GL renderer behind a gpu.js mode is, as far as it can be told. */
export interface RendererInfo {
  /** The renderer's name, or `null` when the context hides it. */
  readonly renderer: string | null;
  /** A CPU rasteriser (Mesa llvmpipe / softpipe / swrast, SwiftShader, Microsoft Basic Render Driver). */
  readonly software: boolean;
  /** How it was found: `'WEBGL_debug_renderer_info'`, `'/proc/self/maps'` or `'unknown'`. */
  readonly source: string;
}

/** Names of software rasterisers, in renderer strings and in the driver libraries they load. */
const SOFTWARE_RENDERER = /llvmpipe|softpipe|swrast|swiftshader|lavapipe|basic render driver|software/i;

interface WebGLLike {
  getExtension(name: string): { UNMASKED_RENDERER_WEBGL?: number } | null;
  getParameter(parameter: number): unknown;
}

function fromDebugRendererInfo(context: unknown): string | null {
  try {
    const gl = context as WebGLLike;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    if (!ext || ext.UNMASKED_RENDERER_WEBGL === undefined) return null;
    const name = gl.getParameter(ext.UNMASKED_RENDERER_WEBGL);
    return typeof name === 'string' && name.length > 0 ? name : null;
  } catch {
    return null;
  }
}

/**
 * The GL driver library mapped into this process (Linux only): headless-gl
 * (stack-gl) reports its renderer as "ANGLE" and has no
 * `WEBGL_debug_renderer_info`, but Mesa's software rasteriser shows up as
 * `swrast_dri.so` / `kms_swrast_dri.so` once a context exists.
 */
async function fromProcessMaps(): Promise<string | null> {
  const proc = (globalThis as { process?: { platform?: string } }).process;
  if (proc?.platform !== 'linux') return null;
  try {
    // A specifier in a variable, ignored by bundlers: a page never reaches this line (no `process` on Linux),
    // and webpack fails a build on a literal `node:` import it cannot resolve.
    const specifier = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as { readFile(path: string, encoding: 'utf8'): Promise<string> };
    const maps = await fs.readFile('/proc/self/maps', 'utf8');
    const drivers = new Set<string>();
    for (const line of maps.split('\n')) {
      const path = line.trim().split(/\s+/)[5];
      if (path && /_dri\.so|libvk_|swiftshader/i.test(path)) drivers.add(path.slice(path.lastIndexOf('/') + 1));
    }
    return drivers.size > 0 ? [...drivers].sort().join(', ') : null;
  } catch {
    return null;
  }
}

/**
 * Identifies the renderer behind a GL kernel class whose `isSupported` has
 * been read (so its test context exists): the unmasked renderer string where
 * the context offers it (browsers), else the driver library in the process
 * map (Node on Linux). A renderer that cannot be identified counts as
 * hardware.
 */
export async function detectRenderer(kernelClass: GpuJsKernelClass): Promise<RendererInfo> {
  const named = fromDebugRendererInfo(kernelClass.testContext);
  if (named !== null) return { renderer: named, software: SOFTWARE_RENDERER.test(named), source: 'WEBGL_debug_renderer_info' };
  const drivers = await fromProcessMaps();
  if (drivers !== null) return { renderer: drivers, software: SOFTWARE_RENDERER.test(drivers), source: '/proc/self/maps' };
  return { renderer: null, software: false, source: 'unknown' };
}
