/**
 * The page: the benchmark and the conformance suite in the browser. Only UI lives here; the
 * harness (`@pointwise/bench/harness`) and the conformance runner (`@pointwise/conformance/harness`)
 * are the same modules the Node CLIs call. Runs go to the page's dedicated harness worker
 * (`harness-worker.ts`) wherever they can (`run-placement.ts`), the rest run here.
 */
import { Chart, registerables, type Plugin } from 'chart.js';
import { getDefaultRegistry, parseBackendList, formatBackendEntry, type BackendListing } from '@pointwise/core';
import { registerAllBackends } from '@pointwise/backends';
import {
  AUTO_NAME,
  AutoContender,
  autoCandidates,
  autoSummaryLine,
  BackendContender,
  crossoverAnalysis,
  describeCrossovers,
  drawCrossoverLines,
  type CrossoverMark,
  NAIVE_NAME,
  NaiveContender,
  runBenchIn,
  type BenchReport,
} from '@pointwise/bench/harness';
import { catalogueWith, decodePhotoInBrowser, resolveTargets, runCases, SSD_DEFAULT_IMAGE, SSD_INPUT_SIZE, type CaseResult, type SsdMobilenetV1Source, type SuiteReport, type Tier } from '@pointwise/conformance/harness';
import { browserNetworkTier, NETWORK_ASSETS } from './network-assets.js';
import { benchEnvironment, describeBrowser } from './browser-environment.js';
import { probeAutomaticSelection } from './selection-probe.js';
import { backendVersion, VERSIONS } from './versions.js';
import { BROWSER_PEERS, createBrowserPeer, isBrowserPeer, wasmThreads } from './browser-peers.js';
import { CONFIGURATIONS } from './configurations.js';
import { callingThreadLabel, contenderCallingThreadLabel } from './calling-thread-label.js';
import { QUICK, SUITES, suiteNamed } from './bench-suites.js';
import { HarnessWorkerClient } from './harness-worker-client.js';
import { mergeBenchReports, mergeConformanceReports, type PlacedBenchReport, type PlacedSuiteReport } from './merge-reports.js';
import { placementOf, workerShellMissing, type RanOn } from './run-placement.js';

Chart.register(...registerables);

const registry = getDefaultRegistry();
const missing = await registerAllBackends(registry);
const browser = await describeBrowser();

const DEFAULT_SELECTION = 'reference,cpu-tiled,workers,gpujs[webgl2]';

const TIERS: readonly Tier[] = ['edge', 'errors', 'layers', 'network', 'property'];

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
};
const yieldToPage = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[], id?: string): HTMLTableElement {
  const t = el('table', id ? { id } : {});
  t.append(el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))));
  t.append(el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, String(c)))))));
  return t;
}

function download(name: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(value, null, 1)}\n`], { type: 'application/json' }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const app = document.querySelector<HTMLDivElement>('#app')!;
const style = el('style', {}, `body{font:14px system-ui,sans-serif;margin:1.5em;max-width:72em} table{border-collapse:collapse;margin:.5em 0} td,th{border:1px solid #ccc;padding:2px 6px;text-align:left} .bad{color:#a00} .ok{color:#060} section{margin-bottom:1.5em} input[type=text]{width:36em} progress{width:24em}`);
document.head.append(style);

// ---- Environment and backends -------------------------------------------------------------
const envSection = el('section', { id: 'environment' }, el('h2', {}, 'Environment'));
envSection.append(
  table(
    ['what', 'value'],
    [
      ['user agent', browser.userAgent],
      ['cores (hardwareConcurrency)', browser.hardwareConcurrency],
      ['crossOriginIsolated', String(browser.crossOriginIsolated)],
      ['WebGL2 renderer', browser.webglRenderer],
      ['WebGPU adapter', browser.webgpuAdapter],
      ['versions', Object.entries(VERSIONS).map(([k, v]) => `${k} ${v}`).join(', ')],
    ],
  ),
);

interface ConfigurationStatus {
  readonly name: string;
  readonly available: boolean;
  readonly reason?: string;
  /** What a run does to the page's main thread (core's `callingThreadUse`), when available. */
  readonly callingThread?: string;
}

async function configurationStatuses(): Promise<{ listing: BackendListing[]; configurations: ConfigurationStatus[] }> {
  const listing = await registry.list();
  const configurations = await resolveTargets(CONFIGURATIONS.map((name) => ({ name, backend: name, registry })));
  return { listing, configurations };
}

const backendSection = el('section', { id: 'backends' }, el('h2', {}, 'Backends'), el('p', {}, 'listing…'));
async function showBackends(): Promise<ConfigurationStatus[]> {
  const { listing, configurations } = await configurationStatuses();
  backendSection.replaceChildren(
    el('h2', {}, 'Backends'),
    table(['backend', 'priority', 'available', 'reason'], listing.map((l) => [l.name, l.priority, l.available ? 'yes' : 'no', l.reason ?? '']), 'backend-list'),
    ...(missing.length ? [el('p', { class: 'bad' }, `packages that did not load: ${missing.map((m) => `${m.packageName} (${m.reason})`).join('; ')}`)] : []),
    el('h3', {}, 'Configurations'),
    table(
      ['configuration', 'available', 'main thread during a run', 'runs in', 'reason'],
      configurations.map((c) => [c.name, c.available ? 'yes' : 'no', c.available ? callingThreadLabel(c.callingThread) : '', placementLabel(), c.reason ?? '']),
      'configuration-list',
    ),
  );
  return configurations;
}

const mainThreadOnly = el('input', { type: 'checkbox', id: 'main-thread-only' });
const placementLine = el('span', { id: 'placement' });

// ---- Where runs happen: the harness worker, or this thread ---------------------------------------
const harnessWorker = new HarnessWorkerClient();
/** Why runs cannot use the harness worker (no `Worker`, or it failed to start), once known. */
let workerMissing: string | undefined = workerShellMissing();
const MAIN_THREAD_ASKED = 'asked to run on the main thread';

/** `undefined` once the harness worker's registry is ready; else why every run stays on this thread. */
async function workerShellState(): Promise<string | undefined> {
  if (workerMissing !== undefined) return workerMissing;
  try {
    await harnessWorker.whenReady();
  } catch (error) {
    workerMissing = `${messageOf(error)}: every run stays on the main thread`;
  }
  return workerMissing;
}

/** The configuration list's "runs in" cell: `worker`, or `main thread` and why (the same for every configuration). */
function placementLabel(): string {
  const placement = placementOf(workerMissing);
  return placement.reason === undefined ? placement.ranOn : `${placement.ranOn} (${placement.reason})`;
}

/** Configurations by where they run: all in the worker, or, when `reason` is set, all on the main thread. */
function placeConfigurations(configurations: readonly string[], reason: string | undefined): Record<RanOn, string[]> {
  const placed: Record<RanOn, string[]> = { worker: [], 'main thread': [] };
  for (const name of configurations) placed[placementOf(reason).ranOn].push(name);
  return placed;
}

/** The run-status line that says where this run's parts go. */
function showPlacement(placed: Record<RanOn, readonly string[]>, others: { worker: readonly string[]; main: readonly string[] }, reason: string | undefined): void {
  const worker = [...placed.worker, ...others.worker];
  const main = [...placed['main thread'], ...others.main];
  placementLine.textContent = [
    worker.length ? `in the harness worker: ${worker.join(', ')}` : '',
    main.length ? `on the main thread: ${main.join(', ')}${reason ? ` (${reason})` : ''}` : '',
  ]
    .filter((s) => s)
    .join('; ');
}

// ---- Selection --------------------------------------------------------------------------------
const selection = el('input', { type: 'text', id: 'selection', value: DEFAULT_SELECTION });
const selectionError = el('span', { class: 'bad', id: 'selection-error' });
const selectionSection = el(
  'section',
  { id: 'select' },
  el('h2', {}, 'What to run'),
  el('label', {}, 'backends (the CLIs\u2019 bracketed names, e.g. workers[js,pool], gpujs[webgl2], cpu-tiled[wasm-simd]): ', selection),
  ' ',
  selectionError,
  ' ',
  el('label', {}, mainThreadOnly, ' run everything on the main thread (as before the harness worker, to compare)'),
);

/** The selected configurations in their canonical short form, validated by core's selection syntax and the registry. */
function selectedConfigurations(): string[] {
  selectionError.textContent = '';
  try {
    return parseBackendList(selection.value, 'backends').map((entry) => registry.resolve(formatBackendEntry(entry), 'backends').shortName);
  } catch (error) {
    selectionError.textContent = messageOf(error);
    throw error;
  }
}

// ---- Runs: progress and cancel ------------------------------------------------------------------
const progress = el('progress', { id: 'progress', max: '1', value: '0' });
const status = el('span', { id: 'status' }, 'idle');
const cancel = el('button', { id: 'cancel', disabled: '' }, 'Cancel');
let controller: AbortController | null = null;
cancel.addEventListener('click', () => controller?.abort(new DOMException('cancelled by the user', 'AbortError')));

/** The Run buttons are off while a run goes on (one run at a time; a click would otherwise do nothing, silently). */
function setRunButtons(enabled: boolean): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('#run-conformance, #run-bench')) button.disabled = !enabled;
}

async function exclusive<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  if (controller) return undefined;
  controller = new AbortController();
  cancel.removeAttribute('disabled');
  setRunButtons(false);
  try {
    return await task(controller.signal);
  } catch (error) {
    status.textContent = controller.signal.aborted ? 'cancelled' : `failed: ${messageOf(error)}`;
    return undefined;
  } finally {
    controller = null;
    cancel.setAttribute('disabled', '');
    setRunButtons(true);
  }
}

// ---- Conformance ------------------------------------------------------------------------------------
const tierBoxes = TIERS.map((tier) => el('input', { type: 'checkbox', value: tier, ...(tier === 'edge' || tier === 'errors' ? { checked: '' } : {}) }));
const runConformanceButton = el('button', { id: 'run-conformance' }, 'Run conformance');
// The network tier's input size (the CLI's --network-size, 32 … 2048) and photograph (--image), served by this build.
const networkSizeInput = el('input', { id: 'network-size', type: 'number', min: '32', max: '2048', step: '1', value: String(SSD_INPUT_SIZE) });
const networkImageSelect = el(
  'select',
  { id: 'network-image' },
  ...Object.keys(NETWORK_ASSETS.images).map((name) => el('option', { value: name, ...(name === SSD_DEFAULT_IMAGE ? { selected: '' } : {}) }, name)),
);
const conformanceResults = el('div', { id: 'conformance-results' });
const conformanceSection = el(
  'section',
  { id: 'conformance' },
  el('h2', {}, 'Conformance'),
  ...tierBoxes.flatMap((box) => [el('label', {}, box, ` ${box.value} `)]),
  el('label', {}, ' network input ', networkSizeInput, ' px, photo ', networkImageSelect, ' '),
  runConformanceButton,
  conformanceResults,
);

interface ConformanceJson extends SuiteReport {
  /** Statuses; the page's own runs stamp where each configuration ran (`ranOn`; absent in older files and Node reports). */
  readonly backends: readonly (SuiteReport['backends'][number] & { readonly ranOn?: RanOn })[];
  readonly environment: Record<string, unknown>;
  readonly tiers: readonly Tier[];
  /** The network tier's photograph and input size, when it ran. */
  readonly network?: SsdMobilenetV1Source;
}
let lastConformance: ConformanceJson | null = null;

function conformanceMatrix(report: { backends: ConformanceJson['backends']; results: readonly CaseResult[] }): HTMLTableElement {
  const rows = report.backends.map((b) => {
    const mine = report.results.filter((r) => r.backend === b.name);
    const count = (s: string) => mine.filter((r) => r.status === s).length;
    const worst = Math.max(0, ...mine.map((r) => r.worstRatio ?? 0));
    return [b.name, b.available ? 'yes' : `no: ${b.reason ?? ''}`, b.available ? callingThreadLabel(b.callingThread) : '', b.ranOn ?? '—', count('passed'), count('failed'), count('skipped'), worst.toFixed(3)];
  });
  return table(['configuration', 'available', 'main thread', 'ran on', 'passed', 'failed', 'skipped', 'worst error/bound'], rows, 'conformance-matrix');
}

function showConformance(report: ConformanceJson): void {
  const failures = report.results.filter((r) => r.status === 'failed');
  conformanceResults.replaceChildren(
    conformanceMatrix(report),
    el('p', { id: 'conformance-summary', class: failures.length ? 'bad' : 'ok' }, `${report.results.length} checks, ${failures.length} failed, ${(report.wallMs / 1000).toFixed(1)} s`),
    ...(failures.length ? [table(['case', 'configuration', 'reason'], failures.slice(0, 50).map((f) => [f.case, f.backend, f.reason ?? '']))] : []),
    el('button', { id: 'download-conformance' }, 'Download JSON'),
  );
  conformanceResults.querySelector('#download-conformance')!.addEventListener('click', () => download('conformance.json', report));
}

/**
 * Runs the chosen tiers on the chosen configurations: those that can in the harness worker, then the
 * rest here (`run-placement.ts`), merged into one report. `only`, when given, keeps the cases whose
 * name contains one of its strings (the browser test runs the layers tier on a subset of its layers).
 * `onMainThread` keeps every run here. The network tier's loader lives on the page, so a run with
 * that tier stays here whole.
 */
async function runConformance(tiers: readonly Tier[], configurations: readonly string[], network?: SsdMobilenetV1Source, only?: readonly string[], onMainThread = mainThreadOnly.checked): Promise<ConformanceJson | undefined> {
  return exclusive(async (signal) => {
    const started = performance.now();
    const reason = onMainThread ? MAIN_THREAD_ASKED : tiers.includes('network') ? 'the network tier loads its model on the page' : await workerShellState();
    const placed = placeConfigurations(configurations, reason);
    showPlacement(placed, { worker: [], main: [] }, reason);
    const source = { image: network?.image ?? SSD_DEFAULT_IMAGE, inputSize: network?.inputSize ?? SSD_INPUT_SIZE };
    let networkCases;
    if (tiers.includes('network')) {
      // The model and photo files are fetched from this page's origin and the network is run on
      // TF.js cpu (its layers' real inputs and outputs) before the first network case.
      status.textContent = `network tier: loading SSD-MobileNetV1 and ${source.image} at ${source.inputSize}²`;
      const tier = await browserNetworkTier();
      await tier.load(source);
      networkCases = tier.networkCases;
    }
    const catalogue = catalogueWith(networkCases, { tiers: tiers.filter((t) => t !== 'property'), network: source });
    const entries = only === undefined ? catalogue : catalogue.filter((e) => only.some((o) => e.name.includes(o)));
    const planned = entries.length * configurations.length + (tiers.includes('property') ? configurations.length : 0);
    let done = 0;
    let doneInWorker = 0;
    progress.max = Math.max(1, planned);
    progress.value = 0;
    status.textContent = `conformance: ${planned} checks`;
    const property = { runs: 25 };
    const parts: { report: SuiteReport; ranOn: RanOn }[] = [];
    if (placed.worker.length > 0) {
      const report = await harnessWorker.run(
        { kind: 'conformance', tiers, configurations: placed.worker, ...(only === undefined ? {} : { only }), propertyRuns: property.runs },
        (d, _total, text) => {
          doneInWorker = d;
          progress.value = doneInWorker + done;
          status.textContent = `conformance: ${doneInWorker + done}/${planned} — ${text} (worker)`;
        },
        signal,
      );
      parts.push({ report, ranOn: 'worker' });
    }
    if (placed['main thread'].length > 0) {
      const report = await runCases(
        {
          targets: placed['main thread'].map((name) => ({ name, backend: name, registry })),
          tiers,
          witnesses: false,
          property,
          signal,
          pause: yieldToPage,
          onResult: (r) => {
            progress.value = doneInWorker + ++done;
            status.textContent = `conformance: ${doneInWorker + done}/${planned} — ${r.backend} ${r.case}`;
          },
        },
        { entries },
      );
      parts.push({ report, ranOn: 'main thread' });
    }
    const report: PlacedSuiteReport = mergeConformanceReports(parts, configurations, entries.map((e) => e.name), performance.now() - started);
    const json: ConformanceJson = { environment: { browser, date: new Date().toISOString() }, tiers, ...(tiers.includes('network') ? { network: source } : {}), ...report };
    lastConformance = json;
    showConformance(json);
    status.textContent = 'conformance done';
    return json;
  });
}

runConformanceButton.addEventListener('click', () => {
  const tiers = tierBoxes.filter((b) => b.checked).map((b) => b.value as Tier);
  void runConformance(tiers, selectedConfigurations(), { inputSize: Number(networkSizeInput.value), image: networkImageSelect.value });
});

// ---- Bench ----------------------------------------------------------------------------------------------
const suiteSelect = el('select', { id: 'suite' }, ...SUITES.map((s) => el('option', { value: s.name }, `${s.name}: ${s.description}`)));
const withNaive = el('input', { type: 'checkbox', id: 'with-naive', checked: '' });
const withAuto = el('input', { type: 'checkbox', id: 'with-auto' });
const DEFAULT_PEERS = new Set(['tfjs-wasm', 'ort-wasm']);
const peerBoxes = BROWSER_PEERS.map((name) => el('input', { type: 'checkbox', class: 'peer', value: name, ...(DEFAULT_PEERS.has(name) ? { checked: '' } : {}) }));
const runBenchButton = el('button', { id: 'run-bench' }, 'Run benchmark');
const loadInput = el('input', { type: 'file', id: 'load-json', accept: 'application/json,.json' });
const benchResults = el('div', { id: 'bench-results' });
const benchSection = el(
  'section',
  { id: 'bench' },
  el('h2', {}, 'Benchmark'),
  el('label', {}, 'suite ', suiteSelect),
  ' ',
  el('label', {}, withNaive, ' naive baseline'),
  ' ',
  el('label', {}, withAuto, ' auto (the planner\'s measured choice among the selected configurations)'),
  el(
    'p',
    { id: 'peers' },
    'peers, each checked against the reference before it is timed: ',
    ...peerBoxes.flatMap((box) => [el('label', {}, box, ` ${box.value} `)]),
    ` (TF.js 4 and onnxruntime-web, wasm binaries served by this page; onnxruntime-web wasm gets ${wasmThreads()} thread${wasmThreads() === 1 ? '' : 's'}, TF.js wasm asks for as many (its threaded build; TF.js uses at most half the cores)${globalThis.crossOriginIsolated ? '' : ': the page is not cross-origin isolated'})`,
  ),
  runBenchButton,
  ' ',
  el('label', {}, 'load a --json report: ', loadInput),
  el('p', {}, 'Quick sampling (5+ samples, ≥ 50 ms per contender and layer); every result is checked against the float64 reference before it is timed. Every contender runs in the page\u2019s harness worker (gpu.js\u2019s GL readback blocks that worker, not the page), unless the status line under the progress bar says otherwise.'),
  benchResults,
);
let chart: Chart | null = null;
let sweepCharts: Chart[] = [];

/** Dashed vertical lines at a sweep chart's crossover points (where the fastest contender changes). */
const crossoverLines: Plugin<'scatter'> = {
  id: 'pointwise-crossovers',
  afterDatasetsDraw(c) {
    drawCrossoverLines(c, (c.options.plugins as unknown as { crossovers?: CrossoverMark[] }).crossovers ?? []);
  },
};

/** Per size sweep of the report (the crossover suites): GFLOP/s against FLOPs, crossover points marked, and the auto summary. */
function sweepSections(report: BenchReport): HTMLElement[] {
  for (const c of sweepCharts) c.destroy();
  sweepCharts = [];
  const sections: HTMLElement[] = [];
  for (const suite of report.suites) {
    const auto = autoSummaryLine(suite);
    if (auto) sections.push(el('p', { class: 'auto-summary' }, `${suite.suite}: ${auto}`));
    for (const analysis of crossoverAnalysis(suite)) {
      const canvas = el('canvas', { class: 'sweep-chart', width: '900', height: '320' });
      const rows = suite.layers.filter((l) => l.layer.sweeps?.includes(analysis.sweep));
      const keys = [...new Set(rows.flatMap((l) => l.measurements.map((m) => m.contender)))];
      sections.push(
        el('h3', {}, `Sweep ${analysis.sweep}: GFLOP/s against FLOPs`),
        canvas,
        el('ul', { class: 'crossovers' }, ...describeCrossovers(analysis).map((line) => el('li', {}, line))),
      );
      sweepCharts.push(
        new Chart(canvas, {
          type: 'scatter',
          data: {
            datasets: keys.map((key) => ({
              label: key,
              showLine: true,
              data: rows
                .flatMap((l) => {
                  const m = l.measurements.find((x) => x.contender === key);
                  return m?.gflops ? [{ x: l.layer.flops, y: m.gflops.median }] : [];
                })
                .sort((a, b) => a.x - b.x),
            })),
          },
          options: {
            animation: false,
            responsive: false,
            scales: { x: { type: 'logarithmic', title: { display: true, text: 'FLOPs per call' } }, y: { min: 0, title: { display: true, text: 'GFLOP/s' } } },
            plugins: { crossovers: analysis.crossovers } as never,
          },
          plugins: [crossoverLines],
        }),
      );
    }
  }
  return sections;
}

/** Whiskers from p10 to p90 GFLOP/s on each bar (chart.js has no error bars of its own). */
const whiskers: Plugin<'bar'> = {
  id: 'pointwise-whiskers',
  afterDatasetsDraw(c) {
    const ctx = c.ctx;
    c.data.datasets.forEach((dataset, d) => {
      const ranges = (dataset as unknown as { ranges?: ([number, number] | null)[] }).ranges ?? [];
      const meta = c.getDatasetMeta(d);
      if (meta.hidden) return;
      meta.data.forEach((bar, i) => {
        const range = ranges[i];
        if (!range) return;
        const y = c.scales.y;
        const x = (bar as unknown as { x: number }).x;
        const [lo, hi] = [y.getPixelForValue(range[0]), y.getPixelForValue(range[1])];
        ctx.save();
        ctx.strokeStyle = '#222';
        ctx.beginPath();
        ctx.moveTo(x, lo);
        ctx.lineTo(x, hi);
        ctx.moveTo(x - 4, lo);
        ctx.lineTo(x + 4, lo);
        ctx.moveTo(x - 4, hi);
        ctx.lineTo(x + 4, hi);
        ctx.stroke();
        ctx.restore();
      });
    });
  },
};

function showBench(report: BenchReport): void {
  const contenders = report.contenders.map((c) => c.name);
  const rows: (string | number)[][] = [];
  const labels: string[] = [];
  const values = new Map<string, (number | null)[]>(contenders.map((c) => [c, []]));
  const ranges = new Map<string, ([number, number] | null)[]>(contenders.map((c) => [c, []]));
  for (const suite of report.suites) {
    for (const { layer, measurements } of suite.layers) {
      labels.push(`${suite.layout} ${layer.name}`);
      for (const c of contenders) {
        const m = measurements.find((x) => x.contender === c);
        values.get(c)!.push(m?.gflops?.median ?? null);
        ranges.get(c)!.push(m?.gflops ? [m.gflops.low, m.gflops.high] : null);
        if (!m) continue;
        const details = Object.entries(m.details ?? {}).filter(([k]) => k !== 'callingThread' && k !== 'ranOn').map(([k, v]) => `${k}=${v}`).join(' ');
        rows.push([
          `${suite.layout} ${layer.name}`,
          m.contender,
          m.status === 'ok' ? 'ok' : `${m.status}: ${m.reason ?? ''}`,
          contenderCallingThreadLabel(m.contender, m.details?.callingThread),
          String(m.details?.ranOn ?? '—'),
          m.gflops ? m.gflops.median.toPrecision(3) : '',
          m.gflops ? `${m.gflops.low.toPrecision(3)}–${m.gflops.high.toPrecision(3)}` : '',
          m.prepareMs !== undefined ? m.prepareMs.toFixed(2) : '',
          m.firstRunMs !== undefined ? m.firstRunMs.toFixed(2) : '',
          m.summary ? m.summary.median.toFixed(3) : '',
          m.accuracy ? m.accuracy.worstRatio.toFixed(3) : '',
          `${m.version} ${details}`,
        ]);
      }
    }
  }
  const canvas = el('canvas', { id: 'bench-chart', width: '900', height: '360' });
  benchResults.replaceChildren(
    el('p', {}, `${report.tool} ${report.version}, ${report.startedAt}, ${(report.wallMs / 1000).toFixed(1)} s; ${report.environment.browser?.userAgent ?? `Node ${report.environment.nodeVersion}`}`),
    table(['contender', 'available', 'version', 'load ms'], report.contenders.map((c) => [c.name, c.available ? 'yes' : `no: ${c.reason ?? ''}`, c.version, c.loadMs?.toFixed(1) ?? '']), 'bench-contenders'),
    el('h3', {}, 'Warm runs: GFLOP/s (median, bars p10–p90)'),
    canvas,
    el('h3', {}, 'Rows (cold start apart: prepare and first run; warm: median time)'),
    ...sweepSections(report),
    table(['layer', 'contender', 'status', 'main thread', 'ran on', 'GFLOP/s', 'p10–p90', 'cold: prepare ms', 'cold: first run ms', 'warm median ms', 'worst error/bound', 'version, details'], rows, 'bench-table'),
    el('button', { id: 'download-bench' }, 'Download JSON'),
  );
  benchResults.querySelector('#download-bench')!.addEventListener('click', () => download('bench.json', report));
  chart?.destroy();
  chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: contenders.map((c) => ({ label: c, data: values.get(c)!, ranges: ranges.get(c)! }) as never),
    },
    options: { animation: false, responsive: false, scales: { y: { type: 'logarithmic', title: { display: true, text: 'GFLOP/s' } } } },
    plugins: [whiskers],
  });
}

/**
 * Runs a bench suite: every contender (configurations, auto, naive, peers) in the harness worker, or,
 * where it cannot be used or `onMainThread` is set, here; the parts merged into one report in the
 * order asked (configurations, auto, naive, peers), each row stamped `details.ranOn`.
 */
async function runBenchmark(suiteName: string, configurations: readonly string[], naive: boolean, auto = false, peers: readonly string[] = [], onMainThread = mainThreadOnly.checked): Promise<BenchReport | undefined> {
  const suite = suiteNamed(suiteName);
  const unknownPeer = peers.find((p) => !isBrowserPeer(p));
  if (unknownPeer !== undefined) throw new Error(`unknown peer ${unknownPeer} (the page has ${BROWSER_PEERS.join(', ')})`);
  return exclusive(async (signal) => {
    const started = performance.now();
    const reason = onMainThread ? MAIN_THREAD_ASKED : await workerShellState();
    const placed = placeConfigurations(configurations, reason);
    const candidates = auto && configurations.length > 0 ? autoCandidates(registry.names(), configurations.map((c) => registry.resolve(c).configuration)) : undefined;
    // auto times its candidates where it runs: in the worker only when every one of them may run there.
    const autoInWorker = candidates !== undefined && placed['main thread'].length === 0;
    const naiveInWorker = naive && reason === undefined;
    const peerNames = BROWSER_PEERS.filter((p) => peers.includes(p));
    const peersInWorker = reason === undefined ? peerNames : [];
    const peersOnMain = reason === undefined ? [] : peerNames;
    const others = {
      worker: [...(autoInWorker ? [AUTO_NAME] : []), ...(naiveInWorker ? [NAIVE_NAME] : []), ...peersInWorker],
      main: [...(candidates && !autoInWorker ? [AUTO_NAME] : []), ...(naive && !naiveInWorker ? [NAIVE_NAME] : []), ...peersOnMain],
    };
    showPlacement(placed, others, reason);
    const environment = benchEnvironment(browser);
    const parts: PlacedBenchReport[] = [];
    if (placed.worker.length + others.worker.length > 0) {
      const report = await harnessWorker.run(
        { kind: 'bench', suite: suite.name, configurations: placed.worker, naive: naiveInWorker, peers: peersInWorker, ...(autoInWorker ? { autoCandidates: candidates } : {}), environment, seed: 1 },
        (done, total, text) => {
          progress.max = total;
          progress.value = done;
          if (text) status.textContent = `bench (worker): ${done}/${total} — ${text}`;
        },
        signal,
      );
      parts.push({ report, ranOn: 'worker' });
    }
    const contenders = [
      ...placed['main thread'].map((c) => new BackendContender(c, registry, c, backendVersion(c))),
      ...(candidates && !autoInWorker ? [new AutoContender(registry, candidates, VERSIONS['@pointwise/core'] ?? 'unknown')] : []),
      ...(naive && !naiveInWorker ? [new NaiveContender(VERSIONS['@pointwise/bench'])] : []),
      ...peersOnMain.map((p) => createBrowserPeer(p)),
    ];
    if (contenders.length > 0 || parts.length === 0) {
      let total = 1;
      let done = 0;
      const report = await runBenchIn(
        { environment, version: VERSIONS['@pointwise/bench'] ?? 'unknown' },
        {
          suites: [suite],
          contenders,
          layouts: ['NCHW'],
          settings: QUICK,
          seed: 1,
          signal,
          pause: yieldToPage,
          progress: {
            start: (n) => {
              total = Math.max(1, n);
              progress.max = total;
              progress.value = 0;
            },
            status: (text) => {
              status.textContent = `bench (main thread): ${done}/${total} — ${text}`;
            },
            step: () => {
              progress.value = ++done;
            },
            stop: () => {},
          },
        },
      );
      parts.push({ report, ranOn: 'main thread' });
    }
    const report = mergeBenchReports(parts, [...configurations, AUTO_NAME, NAIVE_NAME, ...peerNames], performance.now() - started);
    showBench(report);
    status.textContent = 'bench done';
    return report;
  });
}

runBenchButton.addEventListener('click', () =>
  void runBenchmark(suiteSelect.value, selectedConfigurations(), withNaive.checked, withAuto.checked, peerBoxes.filter((b) => b.checked).map((b) => b.value)),
);
loadInput.addEventListener('change', async () => {
  const file = loadInput.files?.[0];
  if (!file) return;
  try {
    const json = JSON.parse(await file.text()) as BenchReport | ConformanceJson;
    if ('tool' in json && json.tool === '@pointwise/bench') showBench(json);
    else if ('results' in json && 'backends' in json) showConformance(json);
    else throw new Error('neither a bench report (tool @pointwise/bench) nor a conformance report (backends, results)');
    status.textContent = `loaded ${file.name}`;
  } catch (error) {
    status.textContent = `could not load ${file.name}: ${messageOf(error)}`;
  }
});

app.append(
  el('h1', {}, 'Pointwise in the browser'),
  envSection,
  backendSection,
  selectionSection,
  el('section', { id: 'run-status' }, progress, ' ', status, ' ', cancel, el('br'), placementLine),
  conformanceSection,
  benchSection,
);
const configurations = await showBackends();

/** The automation hook the browser test (and a console user) drives; it calls the same functions as the buttons. */
Object.assign(window, {
  pointwise: {
    missing,
    browser,
    configurations,
    list: () => registry.list(),
    probeAutomaticSelection: (ci?: number, co?: number, hw?: number) => probeAutomaticSelection(registry, ci, co, hw),
    /** `onMainThread: true` runs everything on the page's main thread (the shell before the harness worker), to compare. */
    runConformance: (tiers: readonly Tier[], selected: readonly string[], network?: SsdMobilenetV1Source, only?: readonly string[], onMainThread = false) =>
      runConformance(tiers, selected, network, only, onMainThread),
    /** Shows a conformance report (as loading its JSON file does): the browser test shows its merged matrix. */
    showConformance: (json: ConformanceJson) => showConformance(json),
    runBenchmark: (suite: string, selected: readonly string[], naive = true, auto = false, peers: readonly string[] = [], onMainThread = false) =>
      runBenchmark(suite, selected, naive, auto, peers, onMainThread),
    /** Where the harness worker stands: `undefined` once it is ready, else why runs stay on the main thread. */
    workerShell: () => workerShellState(),
    /** The harness worker's ready message: backend packages that did not load there, and its `crossOriginIsolated`. */
    harnessWorker: () => harnessWorker.whenReady(),
    lastConformance: () => lastConformance,
    /** The network tier's photograph as the page decodes it (every `step`-th pixel's RGB), to compare with the Node decoder. */
    networkPhoto: async (image: string = SSD_DEFAULT_IMAGE, step = 17) => {
      const url = NETWORK_ASSETS.images[image];
      if (url === undefined) throw new Error(`${image} is not served`);
      const photo = await decodePhotoInBrowser(await (await fetch(url)).arrayBuffer());
      const rgb: number[] = [];
      for (let p = 0; p < photo.width * photo.height; p += step) rgb.push(photo.data[4 * p], photo.data[4 * p + 1], photo.data[4 * p + 2]);
      return { url, width: photo.width, height: photo.height, rgb };
    },
  },
});
