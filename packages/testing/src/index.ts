/**
 * @pointwise/testing — fixtures shared by the tests and benchmarks of every
 * Pointwise package (private, never published; backends take it as a
 * devDependency): seeded float32 data, the IEEE special values, the list of
 * MobileNetV2 / ResNet-50 pointwise layers and the seed layer, and the option
 * matrix the CPU backends cross.
 */
export { seededValues } from './seeded-values.js';
export { SplitMix32 } from './splitmix32.js';
export { SPECIAL_VALUES, withSpecialValues } from './special-values.js';
export { POINTWISE_LAYERS, pointwiseLayerFlops, pointwiseLayers, type PointwiseLayerSpec, type PointwiseSuite } from './pointwise-layers.js';
export { OPTION_MATRIX, optionCombinations, type OptionCombination } from './option-matrix.js';
