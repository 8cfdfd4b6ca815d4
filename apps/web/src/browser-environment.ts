import type { BrowserEnvironment, Environment } from '@pointwise/bench/harness';

/** WebGL2's unmasked renderer, or why there is none. */
function webglRenderer(): string {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return 'none (no WebGL2 context)';
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch (error) {
    return `none (${error instanceof Error ? error.message : String(error)})`;
  }
}

interface GpuAdapterLike {
  readonly info?: { vendor?: string; architecture?: string; description?: string };
}

/** The WebGPU adapter, or why there is none. */
async function webgpuAdapter(): Promise<string> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) return 'none (navigator.gpu absent)';
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return 'none (requestAdapter returned null)';
    const info = adapter.info ?? {};
    return [info.vendor, info.architecture, info.description].filter((s) => s).join(' · ') || 'an adapter (no info)';
  } catch (error) {
    return `none (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** What this page runs on. */
export async function describeBrowser(): Promise<BrowserEnvironment> {
  return {
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    webglRenderer: webglRenderer(),
    webgpuAdapter: await webgpuAdapter(),
  };
}

/** The bench report's environment for a browser run: the Node fields say `browser`, `browser` has the page's view. */
export function benchEnvironment(browser: BrowserEnvironment): Environment {
  const memory = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  return {
    cpuModel: 'unknown (browser)',
    logicalCores: browser.hardwareConcurrency,
    availableParallelism: browser.hardwareConcurrency,
    memoryGiB: memory ?? 0,
    platform: 'browser',
    arch: 'unknown',
    osRelease: navigator.platform,
    nodeVersion: 'browser',
    v8Version: 'unknown',
    loadAverage1m: 0,
    browser,
  };
}
