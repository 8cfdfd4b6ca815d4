import type { Conv1x1Geometry, Tensor } from '@pointwise/core';
import type { ContenderDetails, PreparedRun } from './contender.js';

/** What {@link ortSessionRun} needs of an ONNX Runtime `InferenceSession` (onnxruntime-node or -web). */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { readonly data: unknown }>>;
  release(): Promise<void> | void;
}

/**
 * The bench's run of an ONNX Runtime session holding one Conv node (NCHW in, NCHW out): each run
 * feeds `input` as a float32 tensor of `geometry.inputShape` and keeps the host output.
 * @param makeTensor the runtime's `new ort.Tensor('float32', data, shape)`.
 * @throws Error from a run whose output is not a host Float32Array (a device-resident output).
 */
export function ortSessionRun(
  name: string,
  session: OrtSession,
  makeTensor: (data: Float32Array, shape: number[]) => unknown,
  input: Tensor,
  geometry: Conv1x1Geometry,
  details: ContenderDetails,
): PreparedRun {
  const [inputName] = session.inputNames;
  const [outputName] = session.outputNames;
  const shape = [...geometry.inputShape];
  let last: Float32Array = new Float32Array(0);
  return {
    inputLayout: 'NCHW',
    outputLayout: 'NCHW',
    details: { ...details, activation: geometry.activation.kind === 'none' ? 'none' : 'clip-node' },
    precisionFactor: 1,
    run: async () => {
      const results = await session.run({ [inputName]: makeTensor(input.data, shape) });
      const data = results[outputName].data;
      if (!(data instanceof Float32Array)) throw new Error(`${name}: the output is not a Float32Array on the host`);
      last = data;
    },
    output: () => last,
    dispose: () => session.release(),
  };
}
