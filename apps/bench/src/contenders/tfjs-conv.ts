import type { ContenderDetails, ContenderProblem, PreparedRun } from './contender.js';
import { UnsupportedLayerError } from './contender.js';

type Tf = typeof import('@tensorflow/tfjs-core');

/**
 * One layer as a TF.js peer runs it, in Node or in the browser: `tf.fused.conv2d`
 * with the filter in TF's HWIO order `[1, 1, Ci, Co]` (the transpose of our
 * `[Co, Ci]`), the bias and the activation fused, stride as given and no
 * padding (`pad: 'valid'`), on `tfBackend` (set again before every run, since
 * TF.js has one active backend per process or page).
 * @throws {UnsupportedLayerError} for grouped layers (tf.conv2d has no groups).
 */
export async function prepareTfjsConv(tf: Tf, tfBackend: string, contender: string, details: ContenderDetails, problem: ContenderProblem): Promise<PreparedRun> {
  const { layer, input } = problem;
  if (layer.groups !== 1) throw new UnsupportedLayerError(contender, 'tf.conv2d has no grouped convolution');
  const activate = async () => {
    if (tf.getBackend() !== tfBackend) await tf.setBackend(tfBackend);
  };
  await activate();
  const [n, ci, h, w] = input.shape;
  const co = layer.outChannels;
  const nhwc = input.layout === 'NHWC';
  const filterData = new Float32Array(ci * co);
  for (let o = 0; o < co; o++) for (let c = 0; c < ci; c++) filterData[c * co + o] = problem.weights[o * ci + c];
  const x = tf.tensor4d(input.data, nhwc ? [n, h, w, ci] : [n, ci, h, w], 'float32');
  const filter = tf.tensor4d(filterData, [1, 1, ci, co], 'float32');
  const bias = problem.bias === null ? undefined : tf.tensor1d(problem.bias, 'float32');
  const activation = layer.activation === 'none' ? 'linear' : layer.activation;
  let last: Float32Array = new Float32Array(0);
  return {
    inputLayout: input.layout,
    outputLayout: input.layout,
    details,
    precisionFactor: 1,
    activate,
    run: async () => {
      const y = tf.fused.conv2d({ x, filter, strides: layer.stride, pad: 'valid', dataFormat: nhwc ? 'NHWC' : 'NCHW', bias, activation });
      last = (await y.data()) as Float32Array;
      y.dispose();
    },
    output: () => last,
    dispose: () => {
      x.dispose();
      filter.dispose();
      bias?.dispose();
    },
  };
}
