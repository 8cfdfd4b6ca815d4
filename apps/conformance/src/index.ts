/**
 * @pointwise/conformance — the case catalogue every backend is checked
 * against, the independent witnesses that check the reference (ONNX Runtime,
 * TensorFlow.js), the real-network loader and the runner behind
 * `pnpm conformance`. The benchmark app reuses the catalogue, the witnesses
 * and the real-network pipeline from this entry.
 */
export * from './witnesses/onnx-conv.js';
export * from './witnesses/tfjs-conv.js';
export { tfjsCpu } from './witnesses/tfjs-runtime.js';
