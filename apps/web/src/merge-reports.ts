/**
 * One report from two shells. The page runs part of a selection in its harness worker and the
 * rest on its main thread (`run-placement.ts`); these merge the two reports into the one the page
 * shows and downloads — the schema and order a single run would have produced — with where each
 * part ran stamped on it.
 */
import type { BenchReport, Measurement, SuiteResult } from '@pointwise/bench/harness';
import type { BackendStatus, CaseResult, SuiteReport } from '@pointwise/conformance/harness';
import type { RanOn } from './run-placement.js';

/** A bench report and where it ran. */
export interface PlacedBenchReport {
  readonly report: BenchReport;
  readonly ranOn: RanOn;
}

const stamped = (m: Measurement, ranOn: RanOn): Measurement => ({ ...m, details: { ...m.details, ranOn } });

/**
 * Merges bench reports of the same suite, seed and settings (each run on part of the contenders)
 * into one: contenders and each layer's measurements in `order` (contender names; ones not listed
 * go last), every measurement stamped `details.ranOn`. `startedAt`, `environment`, `settings` and
 * `planner` are the first report's; `wallMs` is the caller's (both parts, end to end).
 * @throws Error when there is no report, or when the reports' suites or layers differ.
 */
export function mergeBenchReports(parts: readonly PlacedBenchReport[], order: readonly string[], wallMs: number): BenchReport {
  const [first] = parts;
  if (first === undefined) throw new Error('mergeBenchReports: no report to merge');
  const rank = (name: string): number => (order.includes(name) ? order.indexOf(name) : order.length);
  const byRank = <T extends { readonly name?: string; readonly contender?: string }>(a: T, b: T): number => rank(a.name ?? a.contender ?? '') - rank(b.name ?? b.contender ?? '');
  const suites: SuiteResult[] = first.report.suites.map((suite, s) => ({
    ...suite,
    layers: suite.layers.map((layer, l) => {
      const measurements = parts.flatMap(({ report, ranOn }) => {
        const other = report.suites[s]?.layers[l];
        if (other === undefined || report.suites[s]!.suite !== suite.suite || other.layer.name !== layer.layer.name) {
          throw new Error(`mergeBenchReports: the reports' suites differ at ${suite.suite} ${layer.layer.name}`);
        }
        return other.measurements.map((m) => stamped(m, ranOn));
      });
      return { ...layer, measurements: [...measurements].sort(byRank) };
    }),
  }));
  const planner = parts.find(({ report }) => report.planner?.candidates)?.report.planner ?? first.report.planner;
  return {
    ...first.report,
    wallMs,
    contenders: parts.flatMap(({ report }) => report.contenders).sort(byRank),
    suites,
    ...(planner ? { planner } : {}),
  };
}

/** A conformance status and where its configuration ran. */
export type PlacedBackendStatus = BackendStatus & { readonly ranOn: RanOn };

/** A conformance report, its statuses stamped with where they ran. */
export interface PlacedSuiteReport extends SuiteReport {
  readonly backends: readonly PlacedBackendStatus[];
}

/**
 * Merges conformance reports (each run on part of the configurations, on the same cases) into one:
 * statuses in `configurations` order, stamped `ranOn`; results case by case in `caseOrder` (case
 * names; others, such as property runs, after them in the order given), within a case in
 * `configurations` order — the order one run over every configuration gives. `wallMs` is the caller's.
 */
export function mergeConformanceReports(
  parts: readonly { readonly report: SuiteReport; readonly ranOn: RanOn }[],
  configurations: readonly string[],
  caseOrder: readonly string[],
  wallMs: number,
): PlacedSuiteReport {
  const configurationRank = (name: string): number => (configurations.includes(name) ? configurations.indexOf(name) : configurations.length);
  const caseRank = new Map(caseOrder.map((name, i) => [name, i]));
  const results: CaseResult[] = parts.flatMap(({ report }) => report.results);
  const position = new Map(results.map((r, i) => [r, i]));
  const sorted = [...results].sort(
    (a, b) =>
      (caseRank.get(a.case) ?? caseOrder.length) - (caseRank.get(b.case) ?? caseOrder.length) ||
      (caseRank.has(a.case) ? configurationRank(a.backend) - configurationRank(b.backend) : position.get(a)! - position.get(b)!),
  );
  const backends = parts.flatMap(({ report, ranOn }) => report.backends.map((b) => ({ ...b, ranOn }))).sort((a, b) => configurationRank(a.name) - configurationRank(b.name));
  return { backends, results: sorted, wallMs };
}
