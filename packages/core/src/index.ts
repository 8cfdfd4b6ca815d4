/**
 * @pointwise/core — the shared pieces of Pointwise: tensors and layouts,
 * options and their normalised geometry, typed errors, the Backend interface,
 * the registry with run-time selection, the float64 reference backend and the
 * accuracy bound every backend is held to.
 */
export * from './errors.js';
export * from './tensor.js';
export * from './options.js';
export * from './activation.js';
export * from './geometry.js';
export * from './padded-cells.js';
export * from './known-keys.js';
export * from './backend.js';
export * from './calling-thread.js';
export * from './selection-syntax.js';
export * from './registry.js';
export * from './typed-array.js';
export * from './weights-layout.js';
export * from './operator.js';
export * from './conv1x1.js';
export * from './planner/fingerprint.js';
export * from './planner/wisdom.js';
export * from './planner/measure-options.js';
export * from './planner/measurement-input.js';
export * from './planner/sample-check.js';
export * from './planner/measure-clock.js';
export * from './planner/measure.js';
export * from './planner/choose-backend.js';
export * from './planner/wisdom-store.js';
export * from './accuracy.js';
export * from './reference/reference-kernel.js';
export * from './reference/reference-backend.js';
export * from './reference/register.js';
