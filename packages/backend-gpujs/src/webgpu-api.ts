/**
 * The slice of the WebGPU API (W3C WebGPU, https://www.w3.org/TR/webgpu/) the
 * packed WGSL program uses, declared locally so the package type-checks
 * without DOM or `@webgpu/types` and so the calls it relies on are written
 * down in one place. The device is gpu.js's shared one
 * (`WebGPUContext.acquire()`, the device its own WebGPU kernels run on).
 */

/** `GPUBufferUsage` flags (values fixed by the specification, §5.1.2). */
export const BUFFER_USAGE = { MAP_READ: 0x0001, COPY_SRC: 0x0004, COPY_DST: 0x0008, UNIFORM: 0x0040, STORAGE: 0x0080 } as const;

/** `GPUMapMode.READ` (specification §5.1.3). */
export const MAP_MODE_READ = 0x0001;

/** A `GPUBuffer`. */
export interface WebGpuBuffer {
  readonly size: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}

/** A `GPUBindGroupLayout` / `GPUBindGroup` / `GPUComputePipeline`: opaque handles here. */
export interface WebGpuBindGroup {
  readonly label?: string;
}

/** A `GPUComputePipeline` (created with `layout: 'auto'`). */
export interface WebGpuComputePipeline {
  getBindGroupLayout(index: number): unknown;
}

/** A `GPUComputePassEncoder`. */
export interface WebGpuComputePass {
  setPipeline(pipeline: WebGpuComputePipeline): void;
  setBindGroup(index: number, group: WebGpuBindGroup): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}

/** A `GPUCommandEncoder`. */
export interface WebGpuCommandEncoder {
  beginComputePass(): WebGpuComputePass;
  copyBufferToBuffer(source: WebGpuBuffer, sourceOffset: number, destination: WebGpuBuffer, destinationOffset: number, size: number): void;
  finish(): unknown;
}

/** A `GPUShaderModule`. */
export interface WebGpuShaderModule {
  getCompilationInfo(): Promise<{ readonly messages: readonly { readonly type: string; readonly message: string; readonly lineNum: number; readonly linePos: number }[] }>;
}

/** The `GPUSupportedLimits` the program checks. */
export interface WebGpuLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
}

/** A `GPUDevice`. */
export interface WebGpuDevice {
  readonly limits: WebGpuLimits;
  readonly queue: {
    writeBuffer(buffer: WebGpuBuffer, offset: number, data: Float32Array): void;
    submit(commands: readonly unknown[]): void;
  };
  createBuffer(descriptor: { size: number; usage: number; mappedAtCreation?: boolean }): WebGpuBuffer;
  createShaderModule(descriptor: { code: string }): WebGpuShaderModule;
  createComputePipeline(descriptor: { layout: 'auto'; compute: { module: WebGpuShaderModule; entryPoint: string } }): WebGpuComputePipeline;
  createBindGroup(descriptor: { layout: unknown; entries: readonly { binding: number; resource: { buffer: WebGpuBuffer } }[] }): WebGpuBindGroup;
  createCommandEncoder(): WebGpuCommandEncoder;
  pushErrorScope(filter: 'validation' | 'out-of-memory'): void;
  popErrorScope(): Promise<{ readonly message: string } | null>;
}

/** What gpu.js's `WebGPUContext.acquire()` resolves to: its shared device, and whether it was lost. */
export interface GpuJsWebGpuContext {
  readonly device: WebGpuDevice;
  readonly isLost: boolean;
}
