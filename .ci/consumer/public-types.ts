// The public type surface of every published package, type-checked by .ci/consumer-check.sh the way the
// strictest consumer sees it: lib ES2022 only (no DOM), no @types/node, skipLibCheck false. A declaration
// that names an ambient type of the DOM lib or of Node (WebAssembly.*, Worker, GPUDevice, Buffer, …)
// fails here; the packages describe such values with their own structural types in their public surface.
// `@pointwise/core/node` is left out: it is the Node-only entry and may name Node's types.
import type * as backendCpuTiled from '@pointwise/backend-cpu-tiled';
import type * as backendCpuTiledKernel from '@pointwise/backend-cpu-tiled/kernel';
import type * as backendGpujs from '@pointwise/backend-gpujs';
import type * as backendWorkers from '@pointwise/backend-workers';
import type * as backends from '@pointwise/backends';
import type * as core from '@pointwise/core';

export type PublicSurface = [typeof core, typeof backendCpuTiled, typeof backendCpuTiledKernel, typeof backendWorkers, typeof backendGpujs, typeof backends];
