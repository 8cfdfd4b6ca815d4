import { POINTWISE_CORE_VERSION, type EnvironmentFingerprint, type WisdomEntry, type WisdomFile } from '@pointwise/core';
import type { Environment } from './environment-model.js';
import type { BenchReport } from './results.js';

/** Options of {@link wisdomFromReport}. */
export interface WisdomExportOptions {
  /**
   * The candidate set the entries are keyed by (canonical configurations, preference order): the
   * list a caller passes as `prepareConv1x1`'s `backend` with `choose: 'fastest'` or `'wisdom-only'`.
   * Default: the `auto` contender's candidates when it ran, else the run's registry configurations
   * in report order.
   */
  readonly candidates?: readonly string[];
}

/** A layer the export left out, and why. */
export interface WisdomExportSkip {
  readonly suite: string;
  readonly layer: string;
  readonly reason: string;
}

/** What {@link wisdomFromReport} made: a wisdom file for core's `Wisdom.import` / `loadWisdom`, and what it left out. */
export interface WisdomExport {
  readonly file: WisdomFile;
  readonly candidates: readonly string[];
  readonly fingerprint: EnvironmentFingerprint;
  readonly skipped: readonly WisdomExportSkip[];
}

/**
 * The fingerprint of a report's environment as core's `environmentFingerprint()` would have made it
 * there (for reports without `planner`): runtime `node <version>`, `<platform> <arch>`, CPU model
 * and logical cores, GPU unknown.
 */
export function fingerprintFromEnvironment(env: Environment): EnvironmentFingerprint {
  return {
    runtime: env.browser ? env.browser.userAgent : `node ${env.nodeVersion.replace(/^v/, '')}`,
    platform: `${env.platform} ${env.arch}`,
    cpu: env.cpuModel,
    cores: env.logicalCores,
    gpu: 'unknown',
  };
}

function defaultCandidates(report: BenchReport): string[] {
  if (report.planner?.candidates?.length) return [...report.planner.candidates];
  const configurations: string[] = [];
  for (const c of report.contenders) if (c.kind === 'backend' && c.configuration && !configurations.includes(c.configuration)) configurations.push(c.configuration);
  return configurations;
}

/**
 * Turns a bench report (`--json`, e.g. of the `crossover` suite) into wisdom for the machine it ran
 * on: one entry per measured layer and layout (core's `problemKey`, which the report stamps on each
 * layer), keyed by the candidate set and the report's environment fingerprint, whose choice is the
 * candidate with the lowest bench median and whose `medianMs` are the bench's medians of the
 * candidates that were timed. Ties go to the earlier candidate (the planner's rule). Core takes
 * these entries only in the same environment and with the same core version; anywhere else its
 * import ignores them with a reason.
 */
export function wisdomFromReport(report: BenchReport, options: WisdomExportOptions = {}): WisdomExport {
  const candidates = options.candidates ? [...options.candidates] : defaultCandidates(report);
  const fingerprint = report.planner?.fingerprint ?? fingerprintFromEnvironment(report.environment);
  const version = report.planner?.coreVersion ?? POINTWISE_CORE_VERSION;
  const entries: WisdomEntry[] = [];
  const skipped: WisdomExportSkip[] = [];
  const seen = new Set<string>();
  for (const suite of report.suites) {
    for (const { layer, measurements } of suite.layers) {
      const skip = (reason: string) => skipped.push({ suite: `${suite.suite} (${suite.layout})`, layer: layer.name, reason });
      if (layer.problem === undefined) {
        skip('no problem key (a report of an earlier bench version)');
        continue;
      }
      if (seen.has(layer.problem)) {
        skip('the same problem was measured earlier in this report (the first measurement is kept)');
        continue;
      }
      const medianMs: Record<string, number> = {};
      for (const candidate of candidates) {
        const m = measurements.find((x) => x.kind === 'backend' && x.configuration === candidate && x.status === 'ok' && x.summary !== undefined);
        if (m) medianMs[candidate] = m.summary!.median;
      }
      const timed = candidates.filter((c) => medianMs[c] !== undefined);
      if (timed.length === 0) {
        skip('no candidate was timed on it');
        continue;
      }
      const choice = timed.reduce((a, b) => (medianMs[b] < medianMs[a] ? b : a));
      seen.add(layer.problem);
      entries.push({ problem: layer.problem, candidates, fingerprint, version, choice, medianMs, measuredAt: report.startedAt });
    }
  }
  return { file: { format: 'pointwise-wisdom-1', entries }, candidates, fingerprint, skipped };
}
