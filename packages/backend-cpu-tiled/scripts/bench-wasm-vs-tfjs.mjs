// Single-thread GFLOP/s of the cpu-tiled wasm-simd and js microkernels beside TensorFlow.js's wasm backend (XNNPACK),
// same process, on the MobileNetV2 / ResNet-50 pointwise layers. Run after building: node scripts/bench-wasm-vs-tfjs.mjs [NCHW|NHWC]
// (tfjs is resolved from apps/bench, which depends on it). Median of warm runs; tfjs includes dataSync readback, ours the copy in/out.
import { createRequire } from 'module';
const require = createRequire(new URL('../../../apps/bench/package.json', import.meta.url));
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-wasm');
const { CpuTiledBackend } = await import('../dist/index.js');
const { normalizeConv1x1, createTensor } = await import('@pointwise/core');
await tf.setBackend('wasm'); await tf.ready();
const layers = [[16,96,112],[96,24,56],[144,24,56],[192,32,28],[384,64,14],[576,96,14],[960,160,7],[320,1280,7],[256,64,56],[64,256,56],[1024,256,14],[2048,512,7],[512,1024,56]];
const layout = process.argv[2] || 'NCHW';
function time(fn, minMs = 300) { for (let i = 0; i < 3; i++) fn(); const ts = []; const t0 = performance.now(); while (performance.now() - t0 < minMs || ts.length < 5) { const a = performance.now(); fn(); ts.push(performance.now() - a); } ts.sort((a, b) => a - b); return ts[ts.length >> 1]; }
const rows = [];
for (const [ci, co, hw] of layers) {
  const flops = 2 * ci * co * hw * hw;
  const x = new Float32Array(ci * hw * hw).map(() => Math.random() - 0.5), w = new Float32Array(co * ci).map(() => Math.random() - 0.5), b = new Float32Array(co).map(() => Math.random());
  const { geometry, weights, bias } = normalizeConv1x1({ inputShape: [1, ci, hw, hw], inputLayout: layout, weights: { data: w, shape: [co, ci] }, bias: b });
  const res = {};
  for (const kernel of ['wasm-simd', 'js']) {
    if (kernel === 'js' && flops > 5e8) { res[kernel] = NaN; continue; }
    const op = await new CpuTiledBackend({ kernel }).prepare({ geometry, weights, bias });
    const xt = createTensor(x, geometry.inputShape, layout), ot = createTensor(new Float32Array(co * hw * hw), geometry.outputShape, layout);
    res[kernel] = flops / time(() => op.runSync(xt, ot)) / 1e6;
  }
  // tfjs-wasm: NHWC conv2d 1x1 with bias (fused), readback included via dataSync
  const xt = tf.tensor4d(x, [1, hw, hw, ci]), wt = tf.tensor4d(w, [1, 1, ci, co]), bt = tf.tensor1d(b);
  res.tfjs = flops / time(() => { const y = tf.fused.conv2d({ x: xt, filter: wt, bias: bt, strides: 1, pad: 'valid' }); y.dataSync(); y.dispose(); }) / 1e6;
  xt.dispose(); wt.dispose(); bt.dispose();
  rows.push([`${ci}→${co} @${hw}²`, (flops / 1e6).toFixed(1), res['wasm-simd'].toFixed(1), res.tfjs.toFixed(1), isNaN(res.js) ? '-' : res.js.toFixed(2)]);
  console.log(rows[rows.length - 1].join(' | '));
}
