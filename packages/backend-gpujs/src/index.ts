/**
 * @pointwise/backend-gpujs — 1×1 convolution on kernels compiled by gpu.js
 * (headless GL, WebGL2, WebGL, WebGPU, WebAssembly or its CPU mode).
 * Side-effect free: call {@link registerGpujsBackend} to add it to a registry.
 */
export { GpujsBackend, DEFAULT_MAX_CHUNK_ELEMENTS, WEBASM_MAX_CHUNK_ELEMENTS, INT32_CHUNK_CEILING } from './gpujs-backend.js';
export { GpujsOperator, GPUJS_BACKEND_NAME } from './gpujs-operator.js';
export { registerGpujsBackend, GPUJS_PRIORITY } from './register.js';
export { GPUJS_MODES, resolveGpujsOptions, type GpujsBackendOptions, type GpujsMode, type GpujsModeOption, type GpujsKernelOption, type ResolvedGpujsOptions } from './options.js';
export { precisionFactorOf, flushesSubnormalsIn } from './capabilities.js';
export { outputGrid, planChunks, type Chunk, type ChunkLimits, type ChunkPlan, type OutputGrid, type TextureSizeRule } from './chunk-plan.js';
export {
  conv1x1KernelSource,
  conv1x1Vec4KernelSource,
  packInputKernelSource,
  packWeightsKernelSource,
  inputDimensions,
  KERNEL_ARGUMENT_TYPES,
  VEC4_KERNEL_ARGUMENT_TYPES,
} from './kernel-source.js';
export { countFetches, countWgslFetches, type FetchCount } from './fetch-count.js';
export { conv1x1Vec4Wgsl, packInputWgsl, packWeightsForWgsl, vec4WgslBindings, workgroupCounts, WEBGPU_WORKGROUP } from './webgpu-kernel-source.js';
export { channelPacking, outputChannelOf, packOutputChannels, type ChannelPacking } from './channel-packing.js';
export { WebGpuOperator, WEBGPU_VEC4_KERNEL_NAME } from './webgpu-operator.js';
export { GpujsResidentTensor, type ResidentImage } from './resident.js';
export type { RendererInfo } from './renderer.js';
