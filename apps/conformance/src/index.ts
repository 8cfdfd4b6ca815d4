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

export * from './catalogue/case.js';
export { catalogue, catalogueWith, filterEntries, type CatalogueOptions, type NetworkTier } from './catalogue/index.js';
export { edgeCases } from './catalogue/edge.js';
export { LAYER_SPECS, layerCase, layerCases, type LayerSpec } from './catalogue/layers.js';
export { networkCases } from './catalogue/network.js';
export { errorCases } from './catalogue/errors.js';
export { makeCase, type CaseSpec } from './catalogue/make-case.js';
export { caseName } from './catalogue/naming.js';
export { generateData, type DataRole } from './catalogue/data-source.js';
export { fromJsonNumber, toJsonNumber } from './catalogue/json-number.js';
export { caseActivation, materializeCase, type MaterializedCase } from './catalogue/materialize.js';
export { loadCaseFile, parseCaseFile } from './catalogue/case-file.js';

export {
  loadSsdMobilenetV1PointwiseLayers,
  SSD_DEFAULT_IMAGE,
  SSD_INPUT_SIZE,
  type PointwiseLayer,
  type SsdMobilenetV1Source,
} from './network/ssd-mobilenet-v1.js';
export { loadTfjsWeights, type NamedWeight } from './network/tfjs-weights.js';
export { loadPhotoTensor } from './network/photo.js';
export { faceApiFile } from './network/face-api-files.js';

export {
  registerAllBackends,
  createTargets,
  createConformanceRegistry,
  BACKEND_PACKAGES,
  type ConformanceRegistry,
  type MissingBackendPackage,
  type RegisterAllOptions,
} from './backends.js';
export * from './backend-configurations.js';
export type { BackendTarget } from './runner/target.js';
export { WITNESS_DIFFERENCES, excuseKnownDifferences, type WitnessDifference, type ExcusedOutput } from './runner/witness-differences.js';
export { checkCaseOnBackend } from './runner/check-case.js';
export { checkErrorCase } from './runner/check-error-case.js';
export { checkWitness, WITNESSES, type WitnessName } from './runner/witness.js';
export { caseArbitrary, checkProperty, DEFAULT_PROPERTY_SEED, type PropertyOptions } from './runner/property.js';
export { compareWithExpected, compareWithReference, describeAccuracy, describeFailure } from './runner/compare.js';
export {
  resolveBackends,
  resolveTargets,
  runCases,
  runSuite,
  runsPropertyTier,
  selectEntries,
  type BackendStatus,
  type CaseSource,
  type SuiteOptions,
  type SuiteReport,
} from './runner/run-suite.js';
export { buildMatrix, renderReport, type Matrix, type MatrixCell } from './runner/matrix.js';
export type { CaseResult, CaseStatus } from './runner/result.js';
