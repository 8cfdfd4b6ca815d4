/**
 * The messages between the page's main thread and its dedicated harness worker
 * (`harness-worker.ts`). Everything here is structured-cloneable plain data: requests name suites,
 * tiers and configurations (the CLIs' bracketed syntax), never objects; results are the JSON report
 * objects the page renders and downloads (`BenchReport`, the conformance runner's `SuiteReport`).
 */
import type { BenchReport, Environment } from '@pointwise/bench/harness';
import type { SuiteReport, Tier } from '@pointwise/conformance/harness';

/** A conformance run: the catalogue's tiers (not `network`: its loader stays on the page), on these configurations. */
export interface ConformanceRequest {
  readonly kind: 'conformance';
  /** Chosen by the page; every reply to this request carries it. */
  readonly id: number;
  readonly tiers: readonly Tier[];
  /** Configurations in canonical short form (`cpu-tiled[js]`), in report order. */
  readonly configurations: readonly string[];
  /** Keep only the catalogue cases whose name contains one of these (the page's `only`). */
  readonly only?: readonly string[];
  /** Runs of the property tier per configuration. */
  readonly propertyRuns: number;
}

/** A bench run of one of the page's suites (`bench-suites.ts`) with its quick settings. */
export interface BenchRequest {
  readonly kind: 'bench';
  readonly id: number;
  /** A suite name of `SUITES`. */
  readonly suite: string;
  /** Registry configurations to time, in report order. */
  readonly configurations: readonly string[];
  /** Time the naive baseline after them. */
  readonly naive: boolean;
  /** Browser peers (`BROWSER_PEERS` names) to time last, in this order. */
  readonly peers: readonly string[];
  /** The `auto` contender's candidates (canonical configurations), when it runs here; it comes after the configurations. */
  readonly autoCandidates?: readonly string[];
  /** The report's environment (the page's description of the browser: the worker cannot probe WebGL from a canvas element). */
  readonly environment: Environment;
  readonly seed: number;
}

/** Cancels the request `id` (between two timed runs or two cases, as the page's cancel button does). */
export interface CancelRequest {
  readonly kind: 'cancel';
  readonly id: number;
}

/** What the page sends to the worker. */
export type HarnessRequest = ConformanceRequest | BenchRequest | CancelRequest;

/** Progress of request `id`: `done` of `total` steps, and what runs now. */
export interface ProgressReply {
  readonly kind: 'progress';
  readonly id: number;
  readonly done: number;
  readonly total: number;
  readonly text: string;
}

/** The finished report of request `id`: a `BenchReport` for a bench request, a `SuiteReport` for a conformance one. */
export interface ResultReply {
  readonly kind: 'result';
  readonly id: number;
  readonly report: BenchReport | SuiteReport;
}

/** Request `id` ended without a report: `cancelled` when the page cancelled it, else it failed with `message`. */
export interface ErrorReply {
  readonly kind: 'error';
  readonly id: number;
  readonly message: string;
  readonly cancelled: boolean;
}

/** Sent once, when the worker's registry is ready: which backend packages did not load there, and whether it is isolated. */
export interface ReadyReply {
  readonly kind: 'ready';
  readonly missing: readonly { readonly packageName: string; readonly reason: string }[];
  readonly crossOriginIsolated: boolean;
}

/** What the worker sends to the page. */
export type HarnessReply = ProgressReply | ResultReply | ErrorReply | ReadyReply;
