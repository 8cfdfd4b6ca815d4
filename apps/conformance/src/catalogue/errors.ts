import type { ConformanceCase, ErrorCase, ErrorClassName, Fault } from './case.js';
import { makeCase } from './make-case.js';

/** The valid problem every error case spoils in one way. */
const BASE: ConformanceCase = makeCase({
  tier: 'edge',
  label: 'error-base',
  shape: [1, 6, 4, 4],
  outChannels: 4,
  options: { groups: 2 },
  bias: true,
  witnesses: false,
});

function error(name: string, fault: Fault, expectedError: ErrorClassName): ErrorCase {
  return { name: `errors/${name}`, tier: 'errors', base: BASE, fault, expectedError };
}

/**
 * The errors tier: every invalid input of the data model that core
 * rejects, each with the error class that every backend must raise (core
 * validates before any engine runs, so the class cannot depend on the backend).
 */
export function errorCases(): ErrorCase[] {
  return [
    error('stride-zero', { kind: 'option', key: 'stride', value: 0 }, 'InvalidArgumentError'),
    error('stride-fractional', { kind: 'option', key: 'stride', value: [1, 1.5] }, 'InvalidArgumentError'),
    error('padding-negative', { kind: 'option', key: 'padding', value: -1 }, 'InvalidArgumentError'),
    error('padding-fractional', { kind: 'option', key: 'padding', value: [0, 0.5, 0, 0] }, 'InvalidArgumentError'),
    error('padding-three-values', { kind: 'option', key: 'padding', value: [1, 1, 1] }, 'InvalidArgumentError'),
    error('dilation-zero', { kind: 'option', key: 'dilation', value: 0 }, 'InvalidArgumentError'),
    error('groups-not-dividing-ci', { kind: 'option', key: 'groups', value: 4 }, 'InvalidArgumentError'),
    error('groups-zero', { kind: 'option', key: 'groups', value: 0 }, 'InvalidArgumentError'),
    error('activation-unknown', { kind: 'option', key: 'activation', value: 'gelu' }, 'InvalidArgumentError'),
    error('activation-clamp-min-above-max', { kind: 'option', key: 'activation', value: { type: 'clamp', min: 2, max: 1 } }, 'InvalidArgumentError'),
    error('layout-unknown', { kind: 'option', key: 'inputLayout', value: 'NCWH' }, 'InvalidArgumentError'),
    error('output-layout-unknown', { kind: 'option', key: 'outputLayout', value: 'CHWN' }, 'InvalidArgumentError'),
    error('size-nan', { kind: 'inputShape', shape: [1, 6, 'NaN', 4] }, 'InvalidArgumentError'),
    error('size-infinite', { kind: 'inputShape', shape: [1, 6, 4, 'Infinity'] }, 'InvalidArgumentError'),
    error('size-fractional', { kind: 'inputShape', shape: [1, 6, 2.5, 4] }, 'InvalidArgumentError'),
    error('size-negative-batch', { kind: 'inputShape', shape: [-1, 6, 4, 4] }, 'InvalidArgumentError'),
    error('weights-wrong-ci', { kind: 'weightsShape', shape: [4, 6] }, 'ShapeMismatchError'),
    error('weights-3x3-kernel', { kind: 'weightsShape', shape: [4, 3, 3, 3] }, 'ShapeMismatchError'),
    error('weights-data-length', { kind: 'weightsLength', length: 11 }, 'InvalidTensorError'),
    error('weights-float64', { kind: 'weightsType', type: 'Float64Array' }, 'InvalidTensorError'),
    error('weights-plain-array', { kind: 'weightsType', type: 'Array' }, 'InvalidTensorError'),
    error('bias-length', { kind: 'biasLength', length: 3 }, 'ShapeMismatchError'),
    error('run-input-shape', { kind: 'runInput', shape: [1, 6, 4, 5] }, 'ShapeMismatchError'),
    error('run-input-layout', { kind: 'runInput', layout: 'NHWC' }, 'InvalidTensorError'),
    error('run-input-data-length', { kind: 'runInput', length: 95 }, 'InvalidTensorError'),
    error('out-shape', { kind: 'out', shape: [1, 4, 4, 3] }, 'ShapeMismatchError'),
    error('out-layout', { kind: 'out', layout: 'NHWC' }, 'InvalidTensorError'),
    error('out-aliases-input', { kind: 'out', aliasInput: true }, 'AliasingError'),
    error('backend-unknown', { kind: 'backendName', name: 'no-such-backend' }, 'UnknownBackendError'),
    error('use-after-dispose', { kind: 'useAfterDispose' }, 'DisposedError'),
  ];
}
