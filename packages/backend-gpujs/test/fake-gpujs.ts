import type { GpuJsModule } from '../src/gpujs-api.js';

/**
 * A stand-in for gpu.js where only webasm, cpu and, with `renderer`, headless
 * GL are supported: its headless GL test context then reports `renderer`
 * through WEBGL_debug_renderer_info (constant 0x9246, the extension's
 * UNMASKED_RENDERER_WEBGL). Without `renderer` headless GL is unsupported.
 */
export function fakeGpujs(renderer?: string): GpuJsModule {
  const unsupported = (name: string) => ({ name, isSupported: false });
  const testContext = {
    getExtension: (name: string) => (name === 'WEBGL_debug_renderer_info' ? { UNMASKED_RENDERER_WEBGL: 0x9246 } : null),
    getParameter: (p: number) => (p === 0x9246 ? renderer : null),
  };
  const HeadlessGLKernel = renderer === undefined ? unsupported('HeadlessGLKernel') : { name: 'HeadlessGLKernel', isSupported: true, testContext, features: { maxTextureSize: 16384 } };
  class GPU {
    readonly Kernel = HeadlessGLKernel;
    readonly kernels: unknown[] = [];
    static async isWebGPUAvailable() {
      return false;
    }
    destroy() {}
  }
  return {
    GPU,
    HeadlessGLKernel,
    WebGL2Kernel: unsupported('WebGL2Kernel'),
    WebGLKernel: unsupported('WebGLKernel'),
    WebGPUKernel: unsupported('WebGPUKernel'),
    WebAssemblyKernel: { name: 'WebAssemblyKernel', isSupported: true },
    CPUKernel: { name: 'CPUKernel', isSupported: true },
  } as unknown as GpuJsModule;
}
