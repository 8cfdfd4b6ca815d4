/**
 * `@pointwise/bench/harness` — the environment-neutral benchmark harness: layers and suites,
 * sampling and statistics, checking before timing, the contender interface with the Pointwise
 * backends and the naive baseline, the report model (the `--json` schema) and its summary.
 * Imports nothing from `node:*`: the Node CLI (`@pointwise/bench`) and the page (`apps/web`)
 * are two shells around it. Node-only pieces (the `os` environment, package manifests, TF.js
 * and ONNX Runtime for Node, files, the terminal) stay in the main entry.
 */
export * from './layer.js';
export * from './suites.js';
export * from './stats.js';
export * from './sampler.js';
export * from './results.js';
export * from './environment-model.js';
export * from './harness.js';
export * from './chain.js';
export * from './run-bench.js';
export * from './synthetic-data.js';
export * from './contenders/contender.js';
export * from './contenders/naive-kernel.js';
export * from './contenders/naive-contender.js';
export * from './contenders/backend-contender.js';
export * from './contenders/auto-contender.js';
export * from './crossover.js';
export * from './report/crossover-lines.js';
export * from './wisdom-export.js';
export * from './contenders/unavailable-contender.js';
export * from './report/summary.js';
export * from './contenders/browser-tfjs.js';
export * from './contenders/browser-ort.js';
