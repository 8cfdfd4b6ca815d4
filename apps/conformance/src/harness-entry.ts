/**
 * `@pointwise/conformance/harness` — the environment-neutral conformance suite: the case
 * catalogue (edge, layers, errors; network when the shell gives its case maker), case
 * materialisation, the per-backend checks against the float64 reference, the fast-check
 * property tier and the runner. Imports nothing from `node:*` (the network tier's data loader
 * is imported lazily, only by a case that asks for it): the Node CLI (`pnpm conformance`, with
 * its witnesses and files) and the page (`apps/web`) are two shells around it.
 */
export * from './catalogue/case.js';
export { catalogueWith, filterEntries, type CatalogueOptions, type NetworkTier } from './catalogue/catalogue-core.js';
export { edgeCases } from './catalogue/edge.js';
export { LAYER_SPECS, layerCase, layerCases, type LayerSpec } from './catalogue/layers.js';
export { errorCases } from './catalogue/errors.js';
export { makeCase, type CaseSpec } from './catalogue/make-case.js';
export { caseName } from './catalogue/naming.js';
export { generateData, type DataRole } from './catalogue/data-source.js';
export { fromJsonNumber, toJsonNumber } from './catalogue/json-number.js';
export { caseActivation, materializeCase, type MaterializedCase } from './catalogue/materialize.js';
export type { BackendTarget } from './runner/target.js';
export { checkCaseOnBackend } from './runner/check-case.js';
export { checkErrorCase } from './runner/check-error-case.js';
export { caseArbitrary, checkProperty, DEFAULT_PROPERTY_SEED, type PropertyOptions } from './runner/property.js';
export { compareWithExpected, compareWithReference, describeAccuracy, describeFailure } from './runner/compare.js';
export {
  resolveBackends,
  resolveTargets,
  runCases,
  runsPropertyTier,
  type BackendStatus,
  type CaseSource,
  type SuiteOptions,
  type SuiteReport,
} from './runner/run-cases.js';
export type { CaseResult, CaseStatus } from './runner/result.js';
export {
  decodePhotoInBrowser,
  loadBrowserNetworkTier,
  type BrowserNetworkOptions,
  type BrowserNetworkTier,
  type PhotoDecoder,
  type SsdMobilenetV1Assets,
} from './network/browser-network.js';
export { setSsdLayerLoader, ssdLayerLoader, type SsdLayerLoader } from './network/layer-loader.js';
export { preprocessPhoto, type DecodedPhoto } from './network/photo-preprocess.js';
export { SSD_DEFAULT_IMAGE, SSD_INPUT_SIZE, type PointwiseLayer, type SsdMobilenetV1Source } from './network/ssd-network.js';
