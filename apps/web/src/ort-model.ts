/**
 * onnxruntime-web and the ONNX `Conv` model builder of the conformance witness (the one the Node
 * `ort-*` peers run), in one lazily loaded chunk. The builder's module imports `onnxruntime-node`
 * for its witness class; vite.config.ts aliases that import to ./ort-node-shim.ts (onnxruntime-web,
 * the same API), and `@pointwise/conformance-onnx-model` to the builder's built module, which the
 * package does not export. Only `buildOnnxConvModel` (protobufjs, no engine) runs from it here.
 */
import * as ort from 'onnxruntime-web';
import { buildOnnxConvModel } from '@pointwise/conformance-onnx-model';

export { ort, buildOnnxConvModel };
