import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

let ready: Promise<typeof tf> | undefined;

/**
 * TensorFlow.js with its `cpu` backend selected, once per process. `PROD`
 * mode silences the "install tfjs-node" console banner the cpu backend
 * prints under Node. Selecting `cpu` changes TensorFlow.js's global backend,
 * so code that uses another TF.js backend must select it again.
 */
export async function tfjsCpu(): Promise<typeof tf> {
  ready ??= (async () => {
    tf.env().set('PROD', true);
    if (!(await tf.setBackend('cpu'))) throw new Error('TensorFlow.js: the cpu backend failed to initialise');
    return tf;
  })();
  const engine = await ready;
  if (engine.getBackend() !== 'cpu') await engine.setBackend('cpu');
  return engine;
}
