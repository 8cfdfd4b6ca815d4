/**
 * onnxruntime-web and the ONNX `Conv` model builder of the conformance witness (the model the Node
 * `ort-*` peers run), in one lazily loaded chunk. The builder is `@pointwise/conformance/onnx-model`,
 * the package's environment-neutral subpath (protobufjs, no engine): no alias or shim needed.
 */
import * as ort from 'onnxruntime-web';
import { buildOnnxConvModel } from '@pointwise/conformance/onnx-model';

export { ort, buildOnnxConvModel };
