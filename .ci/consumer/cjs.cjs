// CommonJS consumer: `require()` of the ESM-only packages (Node ≥ 20.19 loads ES modules without top-level
// await synchronously), a run on the cpu-tiled backend, and an error identified by its stable `code`.
const core = require('@pointwise/core');
const { registerCpuTiledBackend } = require('@pointwise/backend-cpu-tiled');
const { registerWorkersBackend } = require('@pointwise/backend-workers');
const { registerGpujsBackend } = require('@pointwise/backend-gpujs');

const registry = core.getDefaultRegistry();
registerCpuTiledBackend(registry);
registerWorkersBackend(registry);
registerGpujsBackend(registry);

async function main() {
  const x = core.createTensor(new Float32Array(2 * 3 * 3).fill(1), [1, 2, 3, 3]);
  const params = { weights: { data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [3, 2] } };
  const { output, info } = await core.conv1x1(x, params, { backend: 'cpu-tiled', strict: true });
  const expected = [3, 7, 11];
  for (let c = 0; c < 3; c++) {
    if (output.data[c * 9] !== expected[c]) throw new Error(`channel ${c}: got ${output.data[c * 9]}, expected ${expected[c]}`);
  }
  try {
    await core.conv1x1(x, { weights: { data: new Float32Array(5), shape: [3, 2] } });
    throw new Error('a short weights array was accepted');
  } catch (error) {
    if (!core.PointwiseError.isInstance(error)) throw error;
    console.log(`CJS: require() of ${Object.keys(core).length} core exports, conv1x1 on ${info.backend}, bad weights → code ${error.code}: ok`);
  }
  await registry.dispose();
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
