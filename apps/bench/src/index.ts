/**
 * @pointwise/bench — the comparative benchmark harness: suites of real layer
 * shapes, every Pointwise backend and the peer libraries (naive loop,
 * TensorFlow.js cpu / wasm, ONNX Runtime) verified against the reference,
 * then timed side by side. `pnpm bench` runs {@link main}; the pieces are
 * exported for programmatic runs.
 */
export * from './layer.js';
export * from './shape-grammar.js';
export * from './suites.js';
export * from './ssd-suite.js';
export * from './stats.js';
export * from './sampler.js';
export * from './results.js';
export * from './environment.js';
export * from './harness.js';
export * from './chain.js';
export * from './bench.js';
export * from './backends.js';
export * from './contenders/contender.js';
export * from './contenders/naive-kernel.js';
export * from './contenders/naive-contender.js';
export * from './contenders/backend-contender.js';
export * from './contenders/auto-contender.js';
export * from './crossover.js';
export * from './wisdom-export.js';
export * from './contenders/tfjs-contender.js';
export * from './contenders/ort-contender.js';
export * from './contenders/peers.js';
export * from './contenders/unavailable-contender.js';
export * from './report/summary.js';
export * from './report/table.js';
export * from './report/markdown.js';
export * from './report/html.js';
export { main, EXIT_FAILURE, EXIT_USAGE, EXIT_WRONG_RESULT } from './cli-program.js';
