import { CpuTiledBackend, type PlanOptions } from '@pointwise/backend-cpu-tiled';
import { BackendRegistry, prepareConv1x1, type Conv1x1Operator, type Tensor } from '@pointwise/core';
import { WorkersBackend, type WorkersBackendOptions } from '../dist/index.js';
import { caseProblem, type WorkersCase } from './cases.js';

/** A registry holding one given workers backend instance and a cpu-tiled backend with the same kernel options. */
export function registryWith(workers: WorkersBackend, kernel: PlanOptions = {}): BackendRegistry {
  const registry = new BackendRegistry();
  registry.register('workers', () => workers, { priority: 200 });
  registry.register('cpu-tiled', () => new CpuTiledBackend(kernel), { priority: 100 });
  return registry;
}

/**
 * A started workers backend. Test shapes are small, so every run goes to the
 * pool (`minParallelFlops: 0`) and is cut into the most tiles (`minTileFlops: 1`).
 */
export async function startWorkers(options: WorkersBackendOptions): Promise<WorkersBackend> {
  const backend = new WorkersBackend({ minParallelFlops: 0, minTileFlops: 1, ...options });
  await backend.init();
  return backend;
}

/** Prepares a case on a backend of `registry` with the case's kernel options. */
export async function prepareCase(c: WorkersCase, backend: 'workers' | 'cpu-tiled', registry: BackendRegistry): Promise<Conv1x1Operator> {
  return prepareConv1x1(caseProblem(c), { backend, strict: true, registry });
}

/** Index of the first element whose float32 bits differ, or −1 (NaN payloads compared too). */
export function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

/** A tensor of the same shape and layout with its data on a `SharedArrayBuffer`. */
export function sharedCopy(t: Tensor): Tensor {
  const data = new Float32Array(new SharedArrayBuffer(t.data.byteLength));
  data.set(t.data);
  return { shape: t.shape, layout: t.layout, data };
}
