import { isAbsolute, resolve } from 'node:path';
import { BACKEND_ENV_VARIABLE, parseBackendEntry, PointwiseError, type BackendRegistry, type ParsedBackendEntry } from '@pointwise/core';
import { Command, CommanderError, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import {
  backendEntry,
  backendEntryText,
  defaultConfigurationNames,
  expandPlainEntry,
  GPUJS_MODE_OPTIONS,
  parseBackendArguments,
  resolveBackendConfiguration,
  type BackendConfiguration,
  type RequestedBackend,
} from '../backend-configurations.js';
import { BACKEND_PACKAGES } from '../backends.js';
import type { GpujsModeOption } from '@pointwise/backend-gpujs';
import { TIERS, type Tier } from '../catalogue/case.js';
import { DEFAULT_PROPERTY_SEED } from '../runner/property.js';
import { EXIT_CODES, UsageError } from './usage-error.js';
import { assertPhotograph } from './photograph.js';

/** Every backend name the CLI can check: core's reference and the engine packages. */
export const KNOWN_BACKENDS: readonly string[] = ['reference', ...BACKEND_PACKAGES.map((p) => p.name)];

/** Inclusive limits of the numeric flags (the network is SSD-MobileNetV1, whose deepest layer is 1/512 of the input). */
export const NUMBER_LIMITS = {
  seed: { min: 0, max: 2 ** 31 - 1 },
  runs: { min: 1, max: 100_000 },
  networkSize: { min: 32, max: 2048 },
} as const;

/** What a CLI run does, after parsing and validation. */
export interface CliSettings {
  /** Backends to check as named (row names: short canonical forms, plain `gpujs` expanded per `--gpujs-mode` when several); `undefined`: the default set. */
  readonly backends?: readonly string[];
  /**
   * The rows to check: the named backends and configurations, or by default
   * every configuration of every known backend ({@link defaultConfigurationNames}).
   */
  readonly configurations: readonly BackendConfiguration[];
  /** Where `backends` came from, for messages. */
  readonly backendsFrom: '--backends' | typeof BACKEND_ENV_VARIABLE | 'default';
  readonly tiers: readonly Tier[];
  readonly filter?: string;
  /** `--cases` files as absolute paths. */
  readonly cases: readonly string[];
  /** `--json` as an absolute path. */
  readonly json?: string;
  readonly seed: number;
  readonly runs: number;
  readonly networkSize: number;
  readonly image: string;
  /** `--gpujs-mode`: one mode is the plain `gpujs`'s; several make `gpujs` run once per mode as `gpujs[mode]`. */
  readonly gpujsModes?: readonly GpujsModeOption[];
  readonly witnesses: boolean;
  readonly quiet: boolean;
}

/**
 * Where the CLI runs: its environment (for `INIT_CWD` and `POINTWISE_BACKEND`),
 * working directory, and the registry that resolves and checks the backend
 * configurations (its backends are not started by parsing).
 */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly registry: BackendRegistry;
}

const HELP_FOOTER = `
Relative --cases and --json paths resolve against INIT_CWD (the directory
pnpm was run from) when set, else the current directory.

Backends (in --backends and ${BACKEND_ENV_VARIABLE}): core's selection syntax, comma-separated
  name                             the backend with its defaults: cpu-tiled, workers, gpujs, reference
  name[word,…]                     a preset or the backend's shorthand option: cpu-tiled[js],
                                   workers[wasm-simd], gpujs[webasm] (mode), workers[pool], workers[js,pool]
  name[key=value,…]                any options: workers[threads=2,kernel=js], gpujs[mode=cpu]
  workers[pool]                    every run on pool threads (3 threads, callerComputes off,
                                   no small-work threshold)
  Default: reference, cpu-tiled[js], cpu-tiled[wasm-simd], workers[js], workers[wasm-simd],
  workers[js,pool], workers[wasm-simd,pool], gpujs[auto], gpujs[webasm], gpujs[cpu]
  (gpujs[auto] takes the GPU where there is one).

Environment:
  ${BACKEND_ENV_VARIABLE}=a,b   backends to check when --backends is not given

Exit codes:
  ${EXIT_CODES.passed}  every check passed
  ${EXIT_CODES.failed}  a conformance check failed
  ${EXIT_CODES.usage}  bad command line or case file, or nothing was checked`;

function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)];
}

/** A comma-separated list whose commas inside brackets stay (`workers[js,pool],gpujs`). */
function backendList(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function bounded(limits: { readonly min: number; readonly max: number }): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < limits.min || n > limits.max) {
      throw new CommanderArgumentError(`expected an integer from ${limits.min} to ${limits.max}, received ${value}`);
    }
    return n;
  };
}

function commandLine(): Command {
  return new Command()
    .name('pointwise-conformance')
    .description('Checks every registered, available backend against the float64 reference, tier by tier.')
    .option(
      '--backend, --backends <names>',
      `backends to check, comma-separated: ${KNOWN_BACKENDS.join(', ')}, or configurations such as cpu-tiled[js], workers[pool], workers[threads=2,kernel=js], gpujs[cpu] (default: ${BACKEND_ENV_VARIABLE}, else every configuration)`,
      backendList,
    )
    .addOption(new Option('--tier <tiers>', `tiers to run, comma-separated: ${TIERS.join(', ')} (default: all but file; file when --cases is given)`).argParser(list))
    .option('--filter <text>', 'only cases whose name contains <text>')
    .option('--cases <file>', 'also run the cases of a JSON case file (repeatable; see README)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--json <file>', 'write every case result, the backends and the environment as JSON')
    .option('--seed <n>', 'fast-check seed of the property tier', bounded(NUMBER_LIMITS.seed), DEFAULT_PROPERTY_SEED)
    .option('--runs <n>', `random cases per backend in the property tier (${NUMBER_LIMITS.runs.min}–${NUMBER_LIMITS.runs.max})`, bounded(NUMBER_LIMITS.runs), 60)
    .option(
      '--network-size <px>',
      `input size of the real network, ${NUMBER_LIMITS.networkSize.min}–${NUMBER_LIMITS.networkSize.max} (face-api uses 512)`,
      bounded(NUMBER_LIMITS.networkSize),
      512,
    )
    .option('--image <file>', "photograph of @vladmandic/face-api's demo/ folder", 'sample1.jpg')
    .option(
      '--gpujs-mode <modes>',
      `gpu.js modes (${GPUJS_MODE_OPTIONS.join(', ')}): one is the mode of gpujs; several, comma-separated, run gpujs once per mode as gpujs[mode] (default: gpujs in its auto mode; with no --backends auto, webasm and cpu)`,
      list,
    )
    .option('--no-witnesses', 'do not check the reference with ONNX Runtime and TensorFlow.js')
    .option('--quiet', 'no progress line')
    .addHelpText('after', HELP_FOOTER)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined });
}

/** Runs `work`, turning core's `InvalidArgumentError` into a usage error with the same message. */
function asUsage<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (PointwiseError.isInstance(error) && error.code === 'INVALID_ARGUMENT') throw new UsageError(error.message);
    throw error;
  }
}

/** Parses a backend list with core's parser and checks every name is known (a known package that failed to load still is). */
function parseBackendNames(names: readonly string[], from: string, registry: BackendRegistry): ParsedBackendEntry[] {
  if (names.join('').trim() === '') throw new UsageError(`${from}: expected at least one backend name (known: ${KNOWN_BACKENDS.join(', ')})`);
  const entries = asUsage(() => parseBackendArguments(names, from));
  const known = [...new Set([...KNOWN_BACKENDS, ...registry.names()])];
  const unknown = entries.find((e) => !known.includes(e.name));
  if (unknown !== undefined) throw new UsageError(`${from}: unknown backend "${unknown.name}" (known: ${known.join(', ')})`);
  return entries;
}

/**
 * The requested rows before resolution: the named entries with a plain
 * `gpujs` run once per mode when several `--gpujs-mode`s are given (in the
 * one mode, keeping its row name, when one is), or by default every
 * configuration of every known backend.
 */
function requestedBackends(named: readonly ParsedBackendEntry[] | undefined, gpujsModes: readonly GpujsModeOption[] | undefined): RequestedBackend[] {
  const gpujs = (entry: ParsedBackendEntry): RequestedBackend[] => {
    if (gpujsModes === undefined) return [{ entry }];
    if (gpujsModes.length === 1 && backendEntryText(entry) === 'gpujs') return [{ entry: backendEntry('gpujs', { mode: gpujsModes[0] }), display: 'gpujs' }];
    return expandPlainEntry({ entry }, 'mode', gpujsModes);
  };
  if (named !== undefined) return named.flatMap((entry) => (entry.name === 'gpujs' ? gpujs(entry) : [{ entry }]));
  return KNOWN_BACKENDS.flatMap((b) =>
    b === 'gpujs' && gpujsModes?.length === 1 ? gpujs(backendEntry(b)) : defaultConfigurationNames(b, gpujsModes).map((text) => ({ entry: parseBackendEntry(text) })),
  );
}

/**
 * Resolves the requested rows with the registry (presets, shorthand and the
 * backend's own option checks); a row of a package that could not be
 * registered stays as named, and is reported unavailable with the package's reason.
 */
function chooseConfigurations(registry: BackendRegistry, requested: readonly RequestedBackend[], from: string): BackendConfiguration[] {
  const registered = registry.names();
  const rows = requested.map((r): BackendConfiguration => {
    if (registered.includes(r.entry.name)) return asUsage(() => resolveBackendConfiguration(registry, r, from));
    const text = backendEntryText(r.entry);
    return { name: r.display ?? text, backend: r.entry.name, configuration: text, options: r.entry.options, expectedDetails: {} };
  });
  return rows.filter((row, i) => rows.findIndex((other) => other.name === row.name) === i);
}

/**
 * Parses and validates the command line. Everything that can be checked
 * without running (flags, numbers and their ranges, tiers, backend names from
 * `--backends` or `POINTWISE_BACKEND`) is checked here, so a bad command
 * line exits 2 before any case runs. Tiers default to all but `file`, or to
 * `file` alone when `--cases` is given; `--cases` adds `file` to `--tier`.
 *
 * @param argv the user's arguments (without `node` and the script); a leading
 *   `--` (what `pnpm conformance -- --tier edge` passes on) is dropped.
 * @returns the settings, or `undefined` when `--help` was shown (exit 0).
 * @throws {UsageError} with a one-line message for anything invalid.
 */
export function parseCliArgs(argv: readonly string[], context: CliContext): CliSettings | undefined {
  const program = commandLine();
  try {
    program.parse(argv[0] === '--' ? argv.slice(1) : [...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return undefined;
      throw new UsageError(error.message.replace(/^error: /, ''));
    }
    throw error;
  }
  const opts = program.opts<{
    backends?: string[];
    tier?: string[];
    filter?: string;
    cases?: string[];
    json?: string;
    seed: number;
    runs: number;
    networkSize: number;
    image: string;
    gpujsMode?: string[];
    witnesses: boolean;
    quiet?: boolean;
  }>();

  const tiers = (opts.tier ?? (opts.cases ? ['file'] : TIERS.filter((t) => t !== 'file'))) as Tier[];
  if (tiers.length === 0) throw new UsageError(`--tier: expected one or more of ${TIERS.join(', ')}`);
  const unknownTier = tiers.find((t) => !TIERS.includes(t));
  if (unknownTier !== undefined) throw new UsageError(`--tier: expected one of ${TIERS.join(', ')}, received "${unknownTier}"`);
  if (opts.cases && !tiers.includes('file')) tiers.push('file');
  if (tiers.includes('network')) assertPhotograph(opts.image);

  const envBackends = context.env[BACKEND_ENV_VARIABLE];
  let backends: string[] | undefined;
  let backendsFrom: CliSettings['backendsFrom'] = 'default';
  if (opts.backends !== undefined) {
    [backends, backendsFrom] = [opts.backends, '--backends'];
  } else if (envBackends !== undefined && envBackends.trim() !== '') {
    [backends, backendsFrom] = [[envBackends], BACKEND_ENV_VARIABLE];
  }
  const named = backends === undefined ? undefined : parseBackendNames(backends, backendsFrom, context.registry);
  const gpujsModes = opts.gpujsMode === undefined ? undefined : [...new Set(opts.gpujsMode)];
  if (gpujsModes !== undefined && gpujsModes.length === 0) throw new UsageError(`--gpujs-mode: expected one or more of ${GPUJS_MODE_OPTIONS.join(', ')}`);
  const badMode = gpujsModes?.find((m) => !(GPUJS_MODE_OPTIONS as readonly string[]).includes(m));
  if (badMode !== undefined) throw new UsageError(`--gpujs-mode: expected "auto" or one of ${GPUJS_MODE_OPTIONS.filter((m) => m !== 'auto').map((m) => `"${m}"`).join(', ')}, received "${badMode}"`);
  const requested = requestedBackends(named, gpujsModes as GpujsModeOption[] | undefined);
  const configurations = chooseConfigurations(context.registry, requested, backendsFrom === 'default' ? '--backends' : backendsFrom);

  const base = context.env.INIT_CWD || context.cwd;
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(base, path));
  return {
    backends: named === undefined ? undefined : configurations.map((c) => c.name),
    configurations,
    backendsFrom,
    tiers,
    filter: opts.filter,
    cases: (opts.cases ?? []).map(absolute),
    json: opts.json === undefined ? undefined : absolute(opts.json),
    seed: opts.seed,
    runs: opts.runs,
    networkSize: opts.networkSize,
    image: opts.image,
    ...(gpujsModes === undefined ? {} : { gpujsModes: gpujsModes as GpujsModeOption[] }),
    witnesses: opts.witnesses,
    quiet: opts.quiet ?? false,
  };
}
