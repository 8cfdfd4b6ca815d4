import type { Backend, BackendCapabilities, BackendOperator, PrepareRequest } from '../backend.js';
import { BACKEND_API_VERSION, SINGLE_THREAD_FLOAT32_CAPABILITIES } from '../backend.js';
import { DisposedError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { referenceConv1x1 } from './reference-kernel.js';

/** Registry name of the reference backend. */
export const REFERENCE_BACKEND_NAME = 'reference';

const CAPABILITIES: BackendCapabilities = SINGLE_THREAD_FLOAT32_CAPABILITIES;

/**
 * The oracle: a direct loop with float64 accumulation, rounded once to
 * float32 on store. Every layout and option, synchronous. Slow on purpose
 * (no blocking, no packing): its only job is to be right.
 */
export class ReferenceBackend implements Backend {
  readonly name = REFERENCE_BACKEND_NAME;
  readonly apiVersion = BACKEND_API_VERSION;

  async probe() {
    return { available: true } as const;
  }

  async init(): Promise<void> {}

  capabilities(): BackendCapabilities {
    return CAPABILITIES;
  }

  async prepare(request: PrepareRequest): Promise<BackendOperator> {
    const geometry = request.geometry;
    // Copy: the caller may change its arrays after prepare.
    const weights = request.weights.slice();
    const bias = request.bias === null ? null : request.bias.slice();
    let disposed = false;
    const runSync = (x: Tensor, out: Tensor): void => {
      if (disposed) throw new DisposedError('reference operator');
      out.data.set(referenceConv1x1(geometry, x.data, weights, bias).values);
    };
    return {
      geometry,
      info: { backend: REFERENCE_BACKEND_NAME, details: { accumulation: 'float64' } },
      runSync,
      run: async (x, out) => runSync(x, out),
      dispose: () => {
        disposed = true;
      },
    };
  }

  async dispose(): Promise<void> {}
}
