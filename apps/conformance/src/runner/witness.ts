import type { MaterializedCase } from '../catalogue/materialize.js';
import { OnnxConvWitness, onnxConvUnsupportedReason } from '../witnesses/onnx-conv.js';
import { TfjsConvWitness, tfjsConvUnsupportedReason } from '../witnesses/tfjs-conv.js';
import { compareWithReference, describeAccuracy } from './compare.js';
import { messageOf, type CaseResult } from './result.js';
import { excuseKnownDifferences } from './witness-differences.js';

/** Names of the reference's independent witnesses, as the matrix lists them. */
export const WITNESSES = ['witness:onnxruntime', 'witness:tfjs'] as const;

/** One of {@link WITNESSES}. */
export type WitnessName = (typeof WITNESSES)[number];

/** The float32 precision both witness engines work in: the plain §5 bound. */
const FLOAT32_ENGINE = { precisionFactor: 1, flushesSubnormals: false };

/**
 * Checks the reference with an independent library: the witness's output
 * must lie within the §5 bound of the float64 reference, as any float32
 * engine's must. A reference that computed the wrong thing would fail here.
 * Geometries the witness cannot express are skipped with the reason. Where a
 * declared semantic difference of the witness (`WITNESS_DIFFERENCES`)
 * explains elements — the witness gives exactly the value the difference
 * predicts — those elements are excused, the others still checked, and a
 * check that passes only thanks to them is reported as skipped with the
 * reason ("known difference: …"), never as passed.
 */
export async function checkWitness(m: MaterializedCase, witness: WitnessName): Promise<CaseResult> {
  const started = performance.now();
  const base = { case: m.case.name, tier: m.case.tier, backend: witness };
  const unsupported = witness === 'witness:onnxruntime' ? onnxConvUnsupportedReason(m.geometry) : tfjsConvUnsupportedReason(m.geometry);
  if (unsupported !== null) return { ...base, status: 'skipped', reason: unsupported, ms: 0 };
  try {
    const engine = witness === 'witness:onnxruntime' ? await OnnxConvWitness.create(m.problem) : await TfjsConvWitness.create(m.problem);
    let output;
    try {
      output = await engine.run(m.x);
    } finally {
      await engine.dispose();
    }
    const { output: excusedOutput, excused } = excuseKnownDifferences(m, witness, output.data);
    const report = compareWithReference(m, excusedOutput, FLOAT32_ENGINE);
    const known = excused.map((e) => `known difference (${e.elements} of ${report.elements} elements): ${e.reason}`).join('; ');
    const status = report.failureCount > 0 ? 'failed' : excused.length > 0 ? 'skipped' : 'passed';
    const reason = [...(report.failureCount > 0 ? [describeAccuracy(report)] : []), ...(known ? [known] : [])].join('; ');
    return {
      ...base,
      status,
      ...(reason ? { reason } : {}),
      worstRatio: report.worstRatio,
      failureCount: report.failureCount,
      elements: report.elements,
      ms: performance.now() - started,
    };
  } catch (error) {
    return { ...base, status: 'failed', reason: messageOf(error), ms: performance.now() - started };
  }
}
