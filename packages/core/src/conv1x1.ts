import type { ExecutionInfo } from './backend.js';
import { BackendUnavailableError, InvalidArgumentError, PointwiseError, type BackendAttempt } from './errors.js';
import { normalizeConv1x1, type Conv1x1Geometry, type Conv1x1Problem } from './geometry.js';
import { Conv1x1Operator } from './operator.js';
import type { Conv1x1Params } from './options.js';
import { BACKEND_ENV_VARIABLE, assertBackendSelection, getDefaultRegistry, type BackendRegistry, type BackendSelection } from './registry.js';
import type { BackendEntry } from './selection-syntax.js';
import { REFERENCE_BACKEND_NAME } from './reference/reference-backend.js';
import { getDefaultWisdom, planFastest, type ChooseMode, type SelectionReport } from './planner/choose-backend.js';
import { defaultClock, resolveMeasureOptions, type MeasureOptions } from './planner/measure-options.js';
import { Wisdom } from './planner/wisdom.js';
import { assertTensor, type Tensor } from './tensor.js';

/**
 * Backend selection plus the registry to select from (default:
 * {@link getDefaultRegistry}) and a callback that sees every fallback.
 */
export interface PrepareOptions extends BackendSelection {
  readonly registry?: BackendRegistry;
  /**
   * Called for each backend configuration that was skipped, with its reason,
   * as selection moves past it (the same records as `op.info.attempts`).
   */
  readonly onFallback?: (attempt: BackendAttempt) => void;
  /**
   * `'first'` (default): the first candidate that can prepare, in preference
   * order. `'fastest'`: measure every available candidate on this problem and
   * keep the fastest (remembered as wisdom, reused without measuring).
   * `'wisdom-only'`: a remembered decision, else `'first'`. See {@link ChooseMode}.
   */
  readonly choose?: ChooseMode;
  /**
   * How `'fastest'` measures, per candidate: `maxRuns` (default 10, ≤ 100), `budgetMs` (default 50, ≤ 1000),
   * `clock`, and `sharedTensors` (measure on `SharedArrayBuffer` tensors, as your runs will use; default false).
   */
  readonly measure?: MeasureOptions;
  /** Where decisions are remembered; default {@link getDefaultWisdom}. */
  readonly wisdom?: Wisdom;
}

/** Whether the caller named the candidates (in `backend` or `POINTWISE_BACKEND`) rather than leaving them to priority. */
function explicitList(options: PrepareOptions): boolean {
  if (options.backend !== undefined) return true;
  const env = options.env ?? (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const value = env[BACKEND_ENV_VARIABLE];
  return typeof value === 'string' && value.trim() !== '';
}

const PREPARE_OPTION_KEYS: readonly string[] = ['backend', 'strict', 'env', 'registry', 'onFallback', 'choose', 'measure', 'wisdom'];
const CHOOSE_MODES: readonly ChooseMode[] = ['first', 'fastest', 'wisdom-only'];

/**
 * Validates a problem, selects a backend and prepares an operator on it.
 *
 * Backends are tried in the selection's order; one that is unavailable, fails
 * `init()`, fails to prepare this geometry or cannot hold it (a
 * `BackendCapacityError`) is skipped (unless `strict`) and its reason kept:
 * `op.info.attempts` lists every skipped configuration, `onFallback` sees
 * each as it happens. The operator reports which backend it runs on
 * (`operator.backend`, `operator.info`).
 *
 * Semantics: PyTorch `torch.nn.functional.conv2d` with a 1×1 kernel / ONNX
 * `Conv` (see README “The operation”).
 *
 * @param problem input shape `[N, Ci, H, W]` and layout, weights
 *   `[Co, Ci/groups]`, bias `[Co]`, stride, padding, groups, activation, output layout.
 * @param options `backend` (a name, `'name[options]'`, `{ name, ...options }`, or an ordered list of them),
 *   `strict`, `env`, `registry`, `onFallback`.
 * @throws {InvalidArgumentError} / {ShapeMismatchError} / {InvalidTensorError} for bad input or options (before any backend runs).
 * @throws {UnknownBackendError} for a backend name that is not registered.
 * @throws {BackendUnavailableError} when no selected backend can prepare the problem; lists each attempt.
 * @throws {DisposedError} when the registry is disposed while this call waits for a backend.
 */
export async function prepareConv1x1(problem: Conv1x1Problem, options: PrepareOptions = {}): Promise<Conv1x1Operator> {
  assertBackendSelection(options, PREPARE_OPTION_KEYS);
  if (options.onFallback !== undefined && typeof options.onFallback !== 'function') {
    throw new InvalidArgumentError('options.onFallback', 'a function', options.onFallback);
  }
  if (options.registry !== undefined && (typeof options.registry !== 'object' || options.registry === null || typeof options.registry.select !== 'function' || typeof options.registry.candidates !== 'function')) {
    throw new InvalidArgumentError('options.registry', 'a BackendRegistry', options.registry);
  }
  const choose = options.choose ?? 'first';
  if (!CHOOSE_MODES.includes(choose)) throw new InvalidArgumentError('options.choose', CHOOSE_MODES.map((m) => `"${m}"`).join(', '), choose);
  const limits = resolveMeasureOptions(options.measure);
  if (options.wisdom !== undefined && !Wisdom.isInstance(options.wisdom)) throw new InvalidArgumentError('options.wisdom', 'a Wisdom', options.wisdom);
  const normalized = normalizeConv1x1(problem);
  const registry = options.registry ?? getDefaultRegistry();
  const started = defaultClock();
  const attempts: BackendAttempt[] = [];
  const skip = (attempt: BackendAttempt) => {
    attempts.push(attempt);
    options.onFallback?.(attempt);
  };
  let remaining = registry.candidates({ backend: options.backend, strict: options.strict, env: options.env });
  // The float64 oracle is never the fastest: measuring it would take most of the decision. It stays a
  // candidate when asked for by name, and the last resort of the fallback below.
  const planList = explicitList(options) || remaining.length <= 1 ? remaining : remaining.filter((c) => c !== REFERENCE_BACKEND_NAME);
  // One candidate leaves nothing to choose: it is prepared as 'first' would, without measuring.
  if (choose !== 'first' && !options.strict && planList.length > 1) {
    const planAttempts: BackendAttempt[] = [];
    const planned = await planFastest(registry, planList, normalized, options.wisdom ?? getDefaultWisdom(), limits, choose === 'fastest', planAttempts);
    planAttempts.forEach(skip);
    if (planned !== null) {
      return new Conv1x1Operator(planned.op, planned.backend.capabilities(), { configuration: planned.configuration, attempts, selection: planned.report });
    }
    if (choose === 'fastest') throw new BackendUnavailableError(attempts, false);
  }
  /** Time in the registry's selection: backends initialising on first use (`SelectionReport.initMs`). */
  let initMs = 0;
  while (remaining.length > 0) {
    let selected;
    const selecting = defaultClock();
    try {
      selected = await registry.select({ backend: remaining as unknown as BackendEntry[], strict: options.strict });
    } catch (error) {
      if (PointwiseError.isInstance(error) && error.code === 'BACKEND_UNAVAILABLE') {
        (error as BackendUnavailableError).attempts.forEach(skip);
        throw new BackendUnavailableError(attempts, options.strict);
      }
      throw error;
    }
    initMs += defaultClock() - selecting;
    selected.attempts.forEach(skip);
    const backend = selected.backend;
    const configuration = selected.configuration ?? backend.name;
    try {
      const preparing = backend.prepare(normalized);
      const op = await (selected.untilDisposed ? selected.untilDisposed(preparing) : preparing);
      const decisionMs = defaultClock() - started - initMs;
      const selection: SelectionReport = {
        method: 'first',
        decisionMs,
        initMs,
        candidates: [
          ...attempts.map((a) => ({ configuration: a.backend, status: 'unavailable' as const, reason: a.reason })),
          { configuration, status: 'chosen' as const },
        ],
      };
      return new Conv1x1Operator(op, backend.capabilities(), { configuration, attempts, selection });
    } catch (error) {
      // Bad input is the caller's to fix, whichever backend runs; engine failures and
      // a backend's own limits (BACKEND_CAPACITY) fall back to the next backend.
      if (PointwiseError.isInstance(error) && error.code !== 'BACKEND_FAILURE' && error.code !== 'BACKEND_CAPACITY') throw error;
      const capacity = PointwiseError.isInstance(error) && error.code === 'BACKEND_CAPACITY';
      skip({
        backend: configuration,
        reason: `${capacity ? 'unavailable for this problem' : 'prepare failed'}: ${error instanceof Error ? error.message : String(error)}`,
      });
      if (options.strict) break;
      // A registry of an older copy of core may not report the configuration: move past the first at least.
      const index = remaining.indexOf(configuration);
      remaining = remaining.slice(index < 0 ? 1 : index + 1);
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
