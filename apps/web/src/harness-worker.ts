/**
 * The page's second shell: a dedicated module worker that runs the bench and conformance harnesses
 * (`@pointwise/bench/harness`, `@pointwise/conformance/harness`, the modules the Node CLIs and the
 * page's main thread call) on its own registry, so the page's main thread only renders progress and
 * results. Requests, progress, cancel and results follow `harness-protocol.ts`. The `workers`
 * backend starts its pool from here (nested workers; the isolation of the page is inherited).
 */
import { getDefaultRegistry } from '@pointwise/core';
import { registerAllBackends } from '@pointwise/backends';
import { AutoContender, BackendContender, NaiveContender, runBenchIn, type Contender } from '@pointwise/bench/harness';
import { catalogueWith, runCases } from '@pointwise/conformance/harness';
import type { BenchRequest, ConformanceRequest, HarnessReply, HarnessRequest } from './harness-protocol.js';
import { QUICK, suiteNamed } from './bench-suites.js';
import { backendVersion, VERSIONS } from './versions.js';
import { createBrowserPeer, isBrowserPeer } from './browser-peers.js';
import { createMessageYield } from './message-yield.js';

/** The part of a dedicated worker's global scope this shell uses (the project's lib is DOM's). */
interface WorkerScope {
  postMessage(message: HarnessReply): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<HarnessRequest>) => void): void;
}
const scope = self as unknown as WorkerScope;

const registry = getDefaultRegistry();
const loading = registerAllBackends(registry);
const running = new Map<number, AbortController>();
/** Between two samples / cases: lets a cancel request in, without a timer's 4 ms clamp (see `message-yield.ts`). */
const yieldToMessages = createMessageYield();

async function runConformance(request: ConformanceRequest, signal: AbortSignal) {
  const catalogue = catalogueWith(undefined, { tiers: request.tiers.filter((t) => t !== 'property') });
  const only = request.only;
  const entries = only === undefined ? catalogue : catalogue.filter((e) => only.some((o) => e.name.includes(o)));
  const total = entries.length * request.configurations.length + (request.tiers.includes('property') ? request.configurations.length : 0);
  let done = 0;
  return runCases(
    {
      targets: request.configurations.map((name) => ({ name, backend: name, registry })),
      tiers: request.tiers,
      witnesses: false,
      property: { runs: request.propertyRuns },
      signal,
      pause: yieldToMessages,
      onResult: (r) => scope.postMessage({ kind: 'progress', id: request.id, done: ++done, total, text: `${r.backend} ${r.case}` }),
    },
    { entries },
  );
}

async function runBench(request: BenchRequest, signal: AbortSignal) {
  const contenders: Contender[] = [
    ...request.configurations.map((c) => new BackendContender(c, registry, c, backendVersion(c))),
    ...(request.autoCandidates ? [new AutoContender(registry, request.autoCandidates, VERSIONS['@pointwise/core'] ?? 'unknown')] : []),
    ...(request.naive ? [new NaiveContender(VERSIONS['@pointwise/bench'])] : []),
    ...request.peers.map((p) => {
      if (!isBrowserPeer(p)) throw new Error(`unknown peer ${p}`);
      return createBrowserPeer(p);
    }),
  ];
  let total = 1;
  let done = 0;
  return runBenchIn(
    { environment: request.environment, version: VERSIONS['@pointwise/bench'] ?? 'unknown' },
    {
      suites: [suiteNamed(request.suite)],
      contenders,
      layouts: ['NCHW'],
      settings: QUICK,
      seed: request.seed,
      signal,
      pause: yieldToMessages,
      progress: {
        start: (n) => {
          total = Math.max(1, n);
          scope.postMessage({ kind: 'progress', id: request.id, done, total, text: 'started' });
        },
        status: (text) => scope.postMessage({ kind: 'progress', id: request.id, done, total, text }),
        step: () => scope.postMessage({ kind: 'progress', id: request.id, done: ++done, total, text: '' }),
        stop: () => {},
      },
    },
  );
}

async function serve(request: BenchRequest | ConformanceRequest): Promise<void> {
  const controller = new AbortController();
  running.set(request.id, controller);
  try {
    await loading;
    const report = request.kind === 'bench' ? await runBench(request, controller.signal) : await runConformance(request, controller.signal);
    scope.postMessage({ kind: 'result', id: request.id, report });
  } catch (error) {
    scope.postMessage({ kind: 'error', id: request.id, message: error instanceof Error ? error.message : String(error), cancelled: controller.signal.aborted });
  } finally {
    running.delete(request.id);
  }
}

scope.addEventListener('message', (event) => {
  const request = event.data;
  if (request.kind === 'cancel') running.get(request.id)?.abort(new DOMException('cancelled by the user', 'AbortError'));
  else void serve(request);
});

void loading.then((missing) =>
  scope.postMessage({ kind: 'ready', missing: missing.map((m) => ({ packageName: m.packageName, reason: m.reason })), crossOriginIsolated: globalThis.crossOriginIsolated === true }),
);
