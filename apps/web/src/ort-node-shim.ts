/** `onnxruntime-node` in the page's bundle (see ./ort-model.ts and vite.config.ts): onnxruntime-web, the same API. */
export * from 'onnxruntime-web';
