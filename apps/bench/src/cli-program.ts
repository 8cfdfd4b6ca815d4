import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import type { MicrokernelKind } from '@pointwise/backend-cpu-tiled';
import type { GpujsModeOption } from '@pointwise/backend-gpujs';
import type { RequestedBackend } from '@pointwise/conformance/backend-configurations';
import {
  formatBackendEntry,
  InvalidArgumentError,
  parseBackendEntry,
  PointwiseError,
  POINTWISE_CORE_VERSION,
  type BackendEntry,
  type BackendRegistry,
  type UnknownBackendError,
  type Layout,
} from '@pointwise/core';
import { expandBackendEntry, GPUJS_MODE_OPTIONS, parseBackendSelection, type BackendSelection } from './backend-selection.js';
import { createBenchRegistry, defaultBackendNames, MICROKERNELS, type BenchRegistry } from './backends.js';
import { runBench } from './bench.js';
import { AUTO_NAME, AutoContender, autoCandidates } from './contenders/auto-contender.js';
import { BackendContender } from './contenders/backend-contender.js';
import type { Contender } from './contenders/contender.js';
import { createPeer, isPeerName, PEER_NAMES } from './contenders/peers.js';
import { UnavailableContender } from './contenders/unavailable-contender.js';
import type { BenchLayer } from './layer.js';
import { BENCH_VERSION, backendVersion } from './package-version.js';
import { progressBar } from './progress.js';
import { renderHtml } from './report/html.js';
import { renderMarkdown } from './report/markdown.js';
import { hasWrongResult } from './report/summary.js';
import { renderTextReport } from './report/table.js';
import { DEFAULT_TURN_WARMUP_MS, type EngineSettings, type MeasurementSettings } from './results.js';
import { checkSpec, parseShapeList, readShapeFile, SHAPE_GRAMMAR } from './shape-grammar.js';
import { SSD_SUITE } from './ssd-suite.js';
import { builtInSuites, customSuite, resolveSuites, type SuiteSource } from './suites.js';
import { checkOutputPath, userPath } from './user-paths.js';
import { CROSSOVER, CROSSOVER_QUICK } from './crossover.js';
import { wisdomFromReport } from './wisdom-export.js';
import { mobileNetV2Stack } from './chain.js';

/** Stacks `--chain` knows. */
const CHAIN_STACKS: readonly string[] = ['mobilenet-v2'];

/** Exit status when a contender returned a wrong result. */
export const EXIT_WRONG_RESULT = 1;
/** Exit status for a bad command line. */
export const EXIT_USAGE = 2;
/** Exit status when the run itself failed (e.g. a suite's network files could not be read). */
export const EXIT_FAILURE = 3;

/** Where the CLI writes: stdout for the report, stderr for progress and errors. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
}

interface CliOptions {
  suite?: string;
  shape: string[];
  shapeFile?: string;
  backends?: string;
  peers: boolean;
  threads: number;
  layout: string;
  repeat: number;
  minTime: number;
  maxTime: number;
  maxSamples: number;
  warmup: number;
  minSample: number;
  turnWarmup: number;
  seed: number;
  gpujsMode: GpujsModeOption[];
  kernel?: MicrokernelKind[];
  json?: string;
  markdown?: string;
  html?: string;
  wisdomOut?: string;
  chain?: string;
  chainSize: number;
  variants: boolean;
  progress: boolean;
  list?: boolean;
}

function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new CommanderArgumentError(`expected an integer ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}, received "${text}"`);
    }
    return value;
  };
}

/**
 * Most `--threads`: the workers backend's `MAX_THREADS` (not imported, so that the CLI loads without that
 * package). Unchecked, `--threads 100000` left workers unavailable and had ort-mt start 100,000 threads:
 * no output after minutes instead of a usage error.
 */
export const MAX_CLI_THREADS = 256;

/** A parser of a finite number ≥ 0 (milliseconds). */
function nonNegative(text: string): number {
  // Decimal notation only (Number() would also take "0x10" as 16).
  const value = /^\s*(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value) || value < 0) throw new CommanderArgumentError(`expected a decimal number ≥ 0, received "${text}"`);
  return value;
}

/** A parser of a comma-separated list whose items must be among `allowed` (duplicates dropped). */
function listOf<T extends string>(allowed: readonly T[]) {
  return (text: string): T[] => {
    const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const bad = items.find((item) => !(allowed as readonly string[]).includes(item));
    if (items.length === 0 || bad !== undefined) throw new CommanderArgumentError(`expected a comma-separated list of ${allowed.join(', ')}, received "${text}"`);
    return [...new Set(items)] as T[];
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseLayouts(text: string): Layout[] {
  const names = text === 'both' ? ['NCHW', 'NHWC'] : text.split(',').map((s) => s.trim().toUpperCase());
  for (const name of names) if (name !== 'NCHW' && name !== 'NHWC') throw new InvalidArgumentError('--layout', 'NCHW, NHWC, both or a comma-separated list', text);
  return [...new Set(names)] as Layout[];
}

/** The command line; commander's own messages (usage errors, `--help`) go to `io`. */
function program(io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Command {
  return new Command('pointwise-bench')
    .description(
      'Benchmarks Pointwise 1×1 convolution backends side by side with peer libraries. Every result is checked against ' +
        'the float64 reference before it is timed; a wrong result is reported, not timed, and makes the exit status 1.',
    )
    .version(BENCH_VERSION)
    .option('--suite <names>', 'comma-separated built-in suites (see --list); default "default", or none when --shape/--shape-file is given')
    .addOption(new Option('--shape <shapes>', `custom layers, comma-separated or repeated: ${SHAPE_GRAMMAR}`).argParser(collect).default([], 'none'))
    .option('--shape-file <file>', 'JSON file of custom layers: an array of shape strings or { name?, ci, h, w, co, stride?, groups?, batch?, activation? }')
    .option(
      '--backends <names>',
      `comma-separated registry backends in core's selection syntax (name, name[word,…], name[key=value,…]), ${AUTO_NAME} (the planner's measured choice among them) and peers (${PEER_NAMES.join(', ')}), ` +
        `e.g. cpu-tiled[js], workers[threads=2,kernel=js], workers[pool], gpujs[webasm]; default: every registry backend but reference, then ${AUTO_NAME}, then every peer`,
    )
    .option('--no-peers', 'leave the default peers out (a peer named in --backends still runs)')
    .option('--threads <n>', `threads of the workers backend and ort-mt (at most ${MAX_CLI_THREADS})`, integer(1, MAX_CLI_THREADS), Math.min(os.availableParallelism(), MAX_CLI_THREADS))
    .option('--layout <layouts>', 'requested layout: NCHW, NHWC or both (one table each)', 'NCHW')
    .option('--repeat <n>', 'minimum warm samples per contender and layer', integer(1), 7)
    .option('--min-time <ms>', 'minimum total warm time per contender and layer', integer(0), 500)
    .option('--max-time <ms>', 'stop a slow contender once its samples total this long (with ≥ 3 samples)', integer(1), 3000)
    .option('--max-samples <n>', 'stop a fast contender at this many samples even below --min-time', integer(1), 1000)
    .option('--warmup <ms>', 'warm-up time per contender and layer, counting the first run', integer(0), 100)
    .option('--min-sample <ms>', 'shortest sample: faster runs are timed in back-to-back batches of at most 10000, each sample their mean (0: one run per sample)', nonNegative, 0.25)
    .option(
      '--turn-warmup <ms>',
      "a contender whose warm runs take at most this long runs once, untimed, before each of its samples when other contenders' runs came in between (threads awake, caches warm; 0: never)",
      nonNegative,
      DEFAULT_TURN_WARMUP_MS,
    )
    .option('--seed <n>', 'seed of the synthetic layer data', integer(0), 1)
    .option(
      '--kernel <list>',
      `microkernels of cpu-tiled and workers (${MICROKERNELS.join(', ')}): one contender per microkernel, e.g. cpu-tiled[js]; default: each backend's own (WASM SIMD where available)`,
      listOf(MICROKERNELS),
    )
    .addOption(
      new Option(
        '--gpujs-mode <modes>',
        `gpu.js mode of the gpujs backend (${GPUJS_MODE_OPTIONS.join(', ')}); several, comma-separated: one contender per mode, e.g. gpujs[webasm]`,
      )
        .argParser(listOf(GPUJS_MODE_OPTIONS))
        .default(['auto'], 'auto'),
    )
    .option('--json <file>', 'write every sample, the environment and the settings as JSON (paths relative to the directory pnpm was run in)')
    .option('--markdown <file>', 'write the tables as Markdown')
    .option('--html <file>', 'write a self-contained HTML page with charts')
    .option(
      '--wisdom-out <file>',
      "write the run's medians as planner wisdom for this machine (core's wisdom JSON: fileWisdomStore + loadWisdom): per layer, the fastest registry configuration among auto's candidates",
    )
    .option(
      '--chain <stack>',
      "after the suites, run a chained stack on every registry contender (mobilenet-v2: MobileNetV2's 34 pointwise layers): host chain t = await op.run(t) against resident chain t = await op.runResident(t) + one read, each checked against the reference chain first",
    )
    .option('--chain-size <n>', "the chained stack's input H = W (112 for a 224² image; smaller for a quick run)", integer(1), 112)
    .option('--no-variants', 'leave out the zero-copy (op.createInput/createOutput) and compute-only (op.runResident) columns')
    .option('--no-progress', 'no progress bar')
    .option('--list', 'list suites, backends and peers, then exit')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
}

/** The `--help` text (options with their defaults). */
export function helpText(): string {
  return program().helpInformation();
}

async function customLayers(options: CliOptions): Promise<BenchLayer[]> {
  const layers = options.shape.flatMap(parseShapeList);
  if (options.shapeFile) layers.push(...(await readShapeFile(userPath(options.shapeFile))));
  return layers;
}

/**
 * A requested entry's canonical configuration (core's `registry.candidates`) and its display name
 * (core's short form, `workers[js,threads=2]`, or the plain name). The entry's text is core's
 * `formatBackendEntry`, which keeps bracketed words (the conformance app's `backendEntryText` and
 * `shortConfigurationName` write them twice since core's formatter keeps words: `cpu-tiled[js,js]`).
 * @throws {InvalidArgumentError} naming `--backends` and the entry for options the backend rejects.
 */
function resolveConfiguration(registry: BackendRegistry, requested: RequestedBackend): { name: string; configuration: string } {
  const { entry } = requested;
  const text = formatBackendEntry(entry);
  let configuration: string;
  try {
    [configuration] = registry.candidates({ backend: text as unknown as BackendEntry });
  } catch (error) {
    if (PointwiseError.isInstance(error) && error.code === 'INVALID_ARGUMENT') {
      const { parameter: inner, expected, received, suggestion } = error as InvalidArgumentError;
      throw new InvalidArgumentError(`--backends: ${text}${inner === 'backend' ? '' : `: ${inner}`}`, expected, received, suggestion);
    }
    if (PointwiseError.isInstance(error) && error.code === 'UNKNOWN_BACKEND') {
      throw new InvalidArgumentError('--backends', `a registered backend (${registry.names().join(', ')})`, entry.name, (error as UnknownBackendError).suggestion);
    }
    throw error;
  }
  const options = parseBackendEntry(configuration).options;
  const plain = Object.keys(options).length === 0 && (entry.words ?? []).length === 0;
  return { name: requested.display ?? (plain ? entry.name : registry.resolve(configuration).shortName), configuration };
}

/**
 * The contenders `--backends` names (or the default: every backend but
 * `reference`, then every peer unless `--no-peers`), in order, without
 * duplicates. A plain backend name runs once per `--kernel` microkernel or
 * `--gpujs-mode` mode where several are given; an entry with options runs
 * that configuration, resolved and checked by the registry and named in its
 * short canonical form (`workers[js,threads=2]`); a peer named explicitly
 * runs even with `--no-peers`.
 * @throws {InvalidArgumentError} for a name that is neither, or options the backend rejects.
 */
function chooseContenders(options: CliOptions, selection: BackendSelection | undefined, bench: BenchRegistry): Contender[] {
  const registryNames = bench.registry.names();
  const requested =
    selection?.entries ?? [...defaultBackendNames(bench), AUTO_NAME, ...(options.peers ? PEER_NAMES : [])].map((name) => parseBackendEntry(name));
  const contenders = new Map<string, Contender>();
  let autoRequested = false;
  for (const r of requested.flatMap((entry) => expandBackendEntry(entry, options.kernel, options.gpujsMode))) {
    const { name } = r.entry;
    let contender: Contender;
    if (name === AUTO_NAME) {
      if (Object.keys(r.entry.options).length > 0 || (r.entry.words ?? []).length > 0) {
        throw new InvalidArgumentError('--backends', `${AUTO_NAME} without options (its candidates are the run's registry configurations)`, formatBackendEntry(r.entry));
      }
      autoRequested = true;
      continue;
    }
    if (isPeerName(name)) {
      contender = createPeer(name, options.threads);
    } else if (registryNames.includes(name)) {
      const c = resolveConfiguration(bench.registry, r);
      contender = new BackendContender(c.name, bench.registry, c.configuration, backendVersion(c.configuration), { variants: options.variants });
    } else if (bench.missing.has(name)) {
      contender = new UnavailableContender(formatBackendEntry(r.entry), bench.missing.get(name)!);
    } else {
      throw new InvalidArgumentError('--backends', `names among ${[...new Set([...registryNames, ...bench.missing.keys(), AUTO_NAME, ...PEER_NAMES])].join(', ')}`, name);
    }
    if (!contenders.has(contender.name)) contenders.set(contender.name, contender);
  }
  const list = [...contenders.values()];
  if (!autoRequested) return list;
  // auto chooses among the run's registry configurations (every default one, expanded, when none is named).
  let configurations = list.flatMap((c) => (c instanceof BackendContender ? [c.configuration] : []));
  if (configurations.length === 0) {
    configurations = defaultBackendNames(bench)
      .filter((name) => registryNames.includes(name))
      .flatMap((name) => expandBackendEntry(parseBackendEntry(name), options.kernel, options.gpujsMode))
      .map((r) => resolveConfiguration(bench.registry, r).configuration);
  }
  const auto = new AutoContender(bench.registry, autoCandidates(registryNames, configurations), POINTWISE_CORE_VERSION);
  // After the registry backends, before the peers.
  const at = list.findIndex((c) => c.kind === 'peer');
  list.splice(at < 0 ? list.length : at, 0, auto);
  return list;
}

/** The output files asked for, resolved against the user's directory, keyed by option. */
function outputFiles(options: CliOptions): { json?: string; markdown?: string; html?: string; 'wisdom-out'?: string } {
  // `!== undefined`, not truthiness: `--json ''` names the working directory, a usage error, not no file.
  return {
    ...(options.wisdomOut !== undefined ? { 'wisdom-out': userPath(options.wisdomOut) } : {}),
    ...(options.json !== undefined ? { json: userPath(options.json) } : {}),
    ...(options.markdown !== undefined ? { markdown: userPath(options.markdown) } : {}),
    ...(options.html !== undefined ? { html: userPath(options.html) } : {}),
  };
}

async function listing(sources: readonly SuiteSource[], bench: BenchRegistry): Promise<string> {
  const lines = ['Suites:'];
  for (const s of sources) lines.push(`  ${s.name.padEnd(18)} ${s.description}`);
  lines.push('Backends (registry):');
  for (const b of await bench.registry.list()) lines.push(`  ${b.name.padEnd(18)} ${b.available ? 'available' : `unavailable: ${b.reason}`}`);
  for (const [name, reason] of bench.missing) lines.push(`  ${name.padEnd(18)} not registered: ${reason}`);
  lines.push('Peers:', ...PEER_NAMES.map((p) => `  ${p}`), `Microkernels (--kernel): ${MICROKERNELS.join(', ')}`, `Shape grammar: ${SHAPE_GRAMMAR}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The `pointwise-bench` command: parses `argv`, runs the suites, prints the
 * tables and writes the requested files.
 * @returns the exit status: 0, {@link EXIT_WRONG_RESULT} when a contender
 *   returned a wrong result, {@link EXIT_USAGE} for a bad command line,
 *   {@link EXIT_FAILURE} when the run failed.
 */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const command = program(io);
  let options: CliOptions;
  try {
    options = command.parse([...argv]).opts<CliOptions>();
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : EXIT_USAGE;
  }
  let selection: BackendSelection | undefined;
  const files = outputFiles(options);
  try {
    selection = options.backends === undefined ? undefined : parseBackendSelection(options.backends);
    for (const [option, path] of Object.entries(files)) await checkOutputPath(`--${option}`, path);
  } catch (error) {
    io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_USAGE;
  }
  const bench = await createBenchRegistry({ threads: options.threads, gpujsMode: options.gpujsMode[0] ?? 'auto' });
  try {
    const sources = builtInSuites([SSD_SUITE], [CROSSOVER, CROSSOVER_QUICK]);
    if (options.list) {
      io.stdout.write(await listing(sources, bench));
      return 0;
    }
    const custom = await customLayers(options);
    const suiteNames = options.suite?.split(',').map((s) => s.trim()).filter((s) => s !== '') ?? (custom.length > 0 ? [] : ['default']);
    // `--suite ,` (or spaces) names nothing: a run that times nothing is a mistyped command, not a success.
    if (suiteNames.length === 0 && custom.length === 0) {
      throw new InvalidArgumentError('--suite', `at least one of ${sources.map((s) => s.name).join(', ')}, or --shape / --shape-file`, options.suite ?? '');
    }
    const suites = await resolveSuites(suiteNames, sources);
    if (custom.length > 0) suites.push(customSuite(custom));
    const settings: MeasurementSettings = {
      repeat: options.repeat,
      minTimeMs: options.minTime,
      maxTimeMs: options.maxTime,
      minSamplesAtCap: 3,
      maxSamples: options.maxSamples,
      warmupMs: options.warmup,
      minSampleMs: options.minSample,
      turnWarmupMs: options.turnWarmup,
    };
    const contenders = chooseContenders(options, selection, bench);
    if (options.chain !== undefined && !CHAIN_STACKS.includes(options.chain)) throw new InvalidArgumentError('--chain', CHAIN_STACKS.join(', '), options.chain);
    const chains = options.chain === undefined ? [] : [mobileNetV2Stack(options.chainSize)];
    // Checked like a --shape before anything runs: --chain-size 1e9 was a RangeError stack after the suites.
    for (const chain of chains) {
      for (const layer of chain.layers) {
        try {
          checkSpec(layer);
        } catch (error) {
          const { parameter, expected, received } = error as InvalidArgumentError;
          throw new InvalidArgumentError(`--chain-size ${options.chainSize}: ${chain.name} ${layer.name}: ${parameter}`, expected, received);
        }
      }
    }
    const engine: EngineSettings = { threads: options.threads, kernel: options.kernel ?? 'default', gpujsMode: options.gpujsMode };
    const report = await runBench({
      suites,
      contenders,
      layouts: parseLayouts(options.layout),
      settings,
      seed: options.seed,
      engine,
      chains,
      ...(options.progress ? { progress: progressBar(io.stderr) } : {}),
    });
    io.stdout.write(`${renderTextReport(report)}\n`);
    // Written after the run, which may have taken an hour: a file that cannot be written (checked writable
    // before the run, yet a full disk or an I/O error) is one line and exit 3, and the other files are still written.
    let unwritten = 0;
    const write = async (option: keyof typeof files, path: string, text: string): Promise<boolean> => {
      try {
        await writeFile(path, text);
        return true;
      } catch (error) {
        unwritten++;
        io.stderr.write(`error: --${option}: cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
        return false;
      }
    };
    if (files.json) await write('json', files.json, `${JSON.stringify(report, null, 1)}\n`);
    if (files.markdown) await write('markdown', files.markdown, renderMarkdown(report));
    if (files.html) await write('html', files.html, renderHtml(report));
    if (files['wisdom-out']) {
      const wisdom = wisdomFromReport(report);
      if (await write('wisdom-out', files['wisdom-out'], `${JSON.stringify(wisdom.file, null, 2)}\n`)) {
        io.stderr.write(
          `wisdom: ${wisdom.file.entries.length} entries for candidates ${wisdom.candidates.join(', ') || '(none)'} written to ${files['wisdom-out']}` +
            `${wisdom.skipped.length > 0 ? `; ${wisdom.skipped.length} layers left out (${wisdom.skipped.map((s) => `${s.layer}: ${s.reason}`).join('; ')})` : ''}\n`,
        );
      }
    }
    if (hasWrongResult(report.suites, report.chains)) {
      io.stderr.write('error: at least one contender returned a wrong result (see WRONG above)\n');
      return EXIT_WRONG_RESULT;
    }
    return unwritten > 0 ? EXIT_FAILURE : 0;
  } catch (error) {
    if (PointwiseError.isInstance(error) && error.code === 'INVALID_ARGUMENT') {
      io.stderr.write(`error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_FAILURE;
  } finally {
    await bench.registry.dispose();
  }
}
