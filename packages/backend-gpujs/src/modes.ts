import type { GpuJsKernelClass, GpuJsModule } from './gpujs-api.js';
import { GPUJS_MODES, type GpujsMode } from './options.js';

/** Modes that render with GLSL fragment shaders into float textures (texture-size limits apply). */
export const GL_MODES: readonly GpujsMode[] = ['headlessgl', 'webgl2', 'webgl'];

/** gpu.js's own automatic order among the GPU modes (its `kernelOrder`, `src/gpu.js`). */
export const AUTO_ORDER: readonly GpujsMode[] = ['headlessgl', 'webgl2', 'webgl'];

/** The kernel class gpu.js uses for `mode`. */
export function kernelClassOf(gpujs: GpuJsModule, mode: GpujsMode): GpuJsKernelClass {
  switch (mode) {
    case 'headlessgl':
      return gpujs.HeadlessGLKernel;
    case 'webgl2':
      return gpujs.WebGL2Kernel;
    case 'webgl':
      return gpujs.WebGLKernel;
    case 'webgpu':
      return gpujs.WebGPUKernel;
    case 'webasm':
      return gpujs.WebAssemblyKernel;
    case 'cpu':
      return gpujs.CPUKernel;
  }
}

/**
 * The mode a kernel class implements, by identity (`HeadlessGLKernel`
 * extends `WebGLKernel`, so `instanceof` would not tell them apart), or
 * `undefined` for a class this backend does not know.
 */
export function modeOfKernelClass(gpujs: GpuJsModule, kernelClass: GpuJsKernelClass): GpujsMode | undefined {
  return GPUJS_MODES.find((mode) => kernelClassOf(gpujs, mode) === kernelClass);
}

/**
 * Whether gpu.js can run `mode` here. Synchronous `isSupported` for every
 * mode but `webgpu`, where it only proves `navigator.gpu` exists, so an
 * adapter is requested (gpu.js's `GPU.isWebGPUAvailable()`).
 */
export async function isModeSupported(gpujs: GpuJsModule, mode: GpujsMode): Promise<boolean> {
  try {
    if (mode === 'webgpu') return gpujs.WebGPUKernel.isSupported && (await gpujs.GPU.isWebGPUAvailable());
    return kernelClassOf(gpujs, mode).isSupported;
  } catch {
    return false;
  }
}

/** Every mode gpu.js supports here, in the order of {@link GPUJS_MODES}. */
export async function supportedModes(gpujs: GpuJsModule): Promise<GpujsMode[]> {
  const supported: GpujsMode[] = [];
  for (const mode of GPUJS_MODES) if (await isModeSupported(gpujs, mode)) supported.push(mode);
  return supported;
}
