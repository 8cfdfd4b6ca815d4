/**
 * The Chromium flags every browser test and script here uses: headless, no GPU (WebGL2 and WebGPU
 * on SwiftShader, WebGPU enabled), nothing that reaches the network. Plain JavaScript so that the
 * Node scripts (gpujs-webgpu-bench.mjs) share it with the TypeScript tests.
 */
export const CHROMIUM_FLAGS = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
]);
