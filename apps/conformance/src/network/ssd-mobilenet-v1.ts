import { tfjsCpu } from '../witnesses/tfjs-runtime.js';
import { faceApiFile } from './face-api-files.js';
import { loadPhotoTensor } from './photo.js';
import { buildSsdMobilenetV1PointwiseLayers, cachedLayerLoader, type PointwiseLayer, type SsdMobilenetV1Source } from './ssd-network.js';
import { loadTfjsWeights } from './tfjs-weights.js';

export { buildSsdMobilenetV1PointwiseLayers, SSD_DEFAULT_IMAGE, SSD_INPUT_SIZE, type PointwiseLayer, type SsdMobilenetV1Source } from './ssd-network.js';

async function build(image: string, inputSize: number): Promise<readonly PointwiseLayer[]> {
  const tf = await tfjsCpu();
  const weights = await loadTfjsWeights(faceApiFile('model/ssd_mobilenetv1_model-weights_manifest.json'));
  const photo = await loadPhotoTensor(faceApiFile(`demo/${image}`), inputSize);
  return buildSsdMobilenetV1PointwiseLayers(tf, weights, photo);
}

const load = cachedLayerLoader(build);

/**
 * The 1×1 convolutions of the SSD-MobileNetV1 that `@vladmandic/face-api`
 * ships (`model/ssd_mobilenetv1_model-weights_manifest.json` and `.bin`,
 * uint8-quantised weights dequantised with the manifest's scale and min),
 * each with the real input it receives when the network runs on a real
 * photograph and TensorFlow.js's output for it.
 *
 * The network is built with TensorFlow.js's cpu backend following face-api's
 * definition: the 13 depthwise 3×3 (batch norm, relu6) + pointwise 1×1
 * (batch-norm offset, relu6) pairs of MobileNetV1, the four 1×1 reductions of
 * the SSD extra feature layers, and the 1×1 box-encoding and class heads on
 * the six feature maps: 29 layers. Offline: every file comes from the
 * installed package. Cached per image and size for the life of the process.
 *
 * @throws {Error} when a file is missing or the manifest lacks a tensor.
 */
export function loadSsdMobilenetV1PointwiseLayers(source: SsdMobilenetV1Source = {}): Promise<readonly PointwiseLayer[]> {
  return load(source);
}
