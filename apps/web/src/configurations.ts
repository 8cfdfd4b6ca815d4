/**
 * The configurations the page offers, in the CLIs' selection syntax, in the
 * order the page lists them (the browser tests run the same list).
 */
export const CONFIGURATIONS: readonly string[] = [
  'reference',
  'cpu-tiled[js]',
  'cpu-tiled[wasm-simd]',
  'workers[js]',
  'workers[wasm-simd]',
  'workers[js,pool]',
  'gpujs[webgl2]',
  'gpujs[webgl]',
  'gpujs[webgpu]',
  'gpujs[webasm]',
  'gpujs[cpu]',
];
