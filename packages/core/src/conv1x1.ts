import type { ExecutionInfo } from './backend.js';
import { BackendUnavailableError, PointwiseError, type BackendAttempt } from './errors.js';
import { normalizeConv1x1, type Conv1x1Geometry, type Conv1x1Problem } from './geometry.js';
import { Conv1x1Operator } from './operator.js';
import type { Conv1x1Params } from './options.js';
import { getDefaultRegistry, type BackendRegistry, type BackendSelection } from './registry.js';
import { assertTensor, type Tensor } from './tensor.js';

/** Backend selection plus the registry to select from (default: {@link getDefaultRegistry}). */
export interface PrepareOptions extends BackendSelection {
  readonly registry?: BackendRegistry;
}

/**
 * Validates a problem, selects a backend and prepares an operator on it.
 *
 * Backends are tried in the selection's order; one that is unavailable, fails
 * `init()` or fails to prepare this geometry is skipped (unless `strict`) and
 * its reason kept. The operator reports which backend it runs on
 * (`operator.backend`, `operator.info`).
 *
 * Semantics: PyTorch `torch.nn.functional.conv2d` with a 1×1 kernel / ONNX
 * `Conv` (see README “The operation”).
 *
 * @param problem input shape `[N, Ci, H, W]` and layout, weights
 *   `[Co, Ci/groups]`, bias `[Co]`, stride, padding, groups, activation, output layout.
 * @throws {InvalidArgumentError} / {ShapeMismatchError} / {InvalidTensorError} for bad input (before any backend runs).
 * @throws {UnknownBackendError} for a backend name that is not registered.
 * @throws {BackendUnavailableError} when no selected backend can prepare the problem; lists each attempt.
 */
export async function prepareConv1x1(problem: Conv1x1Problem, options: PrepareOptions = {}): Promise<Conv1x1Operator> {
  const normalized = normalizeConv1x1(problem);
  const registry = options.registry ?? getDefaultRegistry();
  const attempts: BackendAttempt[] = [];
  let remaining = registry.candidates(options);
  while (remaining.length > 0) {
    let selected;
    try {
      selected = await registry.select({ backend: remaining, strict: options.strict });
    } catch (error) {
      if (PointwiseError.isInstance(error) && error.code === 'BACKEND_UNAVAILABLE') throw new BackendUnavailableError([...attempts, ...(error as BackendUnavailableError).attempts], options.strict);
      throw error;
    }
    attempts.push(...selected.attempts);
    const backend = selected.backend;
    try {
      const preparing = backend.prepare(normalized);
      const op = await (selected.untilDisposed ? selected.untilDisposed(preparing) : preparing);
      return new Conv1x1Operator(op, backend.capabilities());
    } catch (error) {
      // Bad input is the caller's to fix, whichever backend runs; engine failures and
      // a backend's own limits (BACKEND_CAPACITY) fall back to the next backend.
      if (PointwiseError.isInstance(error) && error.code !== 'BACKEND_FAILURE' && error.code !== 'BACKEND_CAPACITY') throw error;
      const capacity = PointwiseError.isInstance(error) && error.code === 'BACKEND_CAPACITY';
      attempts.push({
        backend: backend.name,
        reason: `${capacity ? 'unavailable for this problem' : 'prepare failed'}: ${error instanceof Error ? error.message : String(error)}`,
      });
      if (options.strict) break;
      remaining = remaining.slice(remaining.indexOf(backend.name) + 1);
    }
  }
  throw new BackendUnavailableError(attempts, options.strict);
}

/** What a one-shot {@link conv1x1} returns: the output and what computed it. */
export interface Conv1x1Result {
  /** `[N, Co, Ho, Wo]` in the output layout. */
  readonly output: Tensor;
  /** The backend that ran, with its engine details. */
  readonly info: ExecutionInfo;
  readonly geometry: Conv1x1Geometry;
}

/**
 * One-shot 1×1 convolution: prepare, run once, dispose. For repeated calls
 * with the same weights, {@link prepareConv1x1} once and `run` many times.
 *
 * @param x input `[N, Ci, H, W]` in `x.layout`; not modified.
 * @param params weights `[Co, Ci/groups]` (or `[Co, Ci/groups, 1, 1]`), bias, stride, padding, groups, activation.
 * @throws as {@link prepareConv1x1} and {@link Conv1x1Operator.run}.
 */
export async function conv1x1(x: Tensor, params: Conv1x1Params, options: PrepareOptions = {}): Promise<Conv1x1Result> {
  assertTensor('x', x);
  const op = await prepareConv1x1({ ...params, inputShape: x.shape, inputLayout: x.layout }, options);
  try {
    const output = await op.run(x);
    return { output, info: op.info, geometry: op.geometry };
  } finally {
    op.dispose();
  }
}
