import { prepareConv1x1, zerosTensor, type BackendRegistry, type Tensor } from '@pointwise/core';
import type { MaterializedCase } from '../catalogue/materialize.js';
import { compareWithExpected, compareWithReference, describeAccuracy } from './compare.js';
import { messageOf, type CaseResult } from './result.js';
import { snapshot, unchanged } from './snapshot.js';
import { backendOption, detailsMismatch, type BackendTarget } from './target.js';

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Runs one case on one registered backend (strict selection: no fallback)
 * and checks, in order: the output is the `out` tensor it was given (filled
 * with NaN beforehand, so an element the backend forgot to write shows up),
 * its shape and layout; the input, weights and bias are bit-for-bit
 * unchanged; every element lies within the backend's bound of the float64
 * reference (README “Accuracy”, times `capabilities().precisionFactor`, with
 * NaN and ±Inf positions matching); and the case's `expected` output, if any,
 * within its tolerance. With a `configuration` (a row such as `workers[js,pool]`)
 * the result carries its name, and the operator must report the details the
 * configuration promises (`kernel`, gpu.js `mode`, `dispatch: 'pool'`) for
 * every case with `N > 0`.
 */
export async function checkCaseOnBackend(
  m: MaterializedCase,
  backend: string,
  registry: BackendRegistry,
  configuration?: Pick<BackendTarget, 'name' | 'expectedDetails'>,
): Promise<CaseResult> {
  const started = performance.now();
  const base = { case: m.case.name, tier: m.case.tier, backend: configuration?.name ?? backend };
  const result = (rest: Omit<CaseResult, 'case' | 'tier' | 'backend' | 'ms'>): CaseResult => ({ ...base, ...rest, ms: performance.now() - started });
  const before = {
    x: snapshot(m.x.data),
    weights: snapshot(m.problem.weights.data),
    bias: m.problem.bias ? snapshot(m.problem.bias) : null,
  };
  let out: Tensor;
  let returned: Tensor;
  let details: CaseResult['details'];
  let capabilities;
  try {
    const op = await prepareConv1x1(m.problem, { backend: backendOption(backend), strict: true, registry });
    try {
      capabilities = op.capabilities;
      details = op.info.details;
      out = zerosTensor(m.geometry.outputShape, m.geometry.outputLayout);
      out.data.fill(NaN);
      returned = await op.run(m.x, out);
    } finally {
      op.dispose();
    }
  } catch (error) {
    return result({ status: 'failed', reason: messageOf(error) });
  }
  const problems: string[] = [];
  if (returned !== out) problems.push('run() did not return the out tensor it was given');
  if (!sameShape(returned.shape, m.geometry.outputShape)) problems.push(`output shape [${returned.shape}] ≠ [${m.geometry.outputShape}]`);
  if (returned.layout !== m.geometry.outputLayout) problems.push(`output layout ${returned.layout} ≠ ${m.geometry.outputLayout}`);
  if (m.geometry.batch > 0) {
    const mismatch = detailsMismatch(configuration?.expectedDetails, details);
    if (mismatch) problems.push(mismatch);
  }
  if (!unchanged(m.x.data, before.x)) problems.push('input x was modified');
  if (!unchanged(m.problem.weights.data, before.weights)) problems.push('weights were modified');
  if (before.bias && m.problem.bias && !unchanged(m.problem.bias, before.bias)) problems.push('bias was modified');
  if (problems.length > 0) return result({ status: 'failed', reason: problems.join('; '), details });

  const report = compareWithReference(m, returned.data, capabilities);
  const expected = compareWithExpected(m, returned.data, capabilities.precisionFactor);
  const reasons: string[] = [];
  if (report.failureCount > 0) reasons.push(`reference: ${describeAccuracy(report)}`);
  if (expected && expected.failureCount > 0) reasons.push(`${m.expected?.source}: ${describeAccuracy(expected)}`);
  return result({
    status: reasons.length === 0 ? 'passed' : 'failed',
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    worstRatio: report.worstRatio,
    ...(expected ? { expectedWorstRatio: expected.worstRatio } : {}),
    failureCount: report.failureCount + (expected?.failureCount ?? 0),
    elements: report.elements,
    details,
  });
}
