#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { BackendRegistry, registerReferenceBackend } from '@pointwise/core';
import { Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { registerAllBackends } from './backends.js';
import { TIERS, type ConformanceCase, type Tier } from './catalogue/case.js';
import { loadCaseFile } from './catalogue/case-file.js';
import { renderReport } from './runner/matrix.js';
import { DEFAULT_PROPERTY_SEED } from './runner/property.js';
import { runSuite } from './runner/run-suite.js';

function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)];
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CommanderArgumentError(`expected a non-negative integer, received ${value}`);
  return n;
}

const program = new Command()
  .name('pointwise-conformance')
  .description('Checks every registered, available backend against the float64 reference, tier by tier.')
  .option('--backend, --backends <names>', 'backends to check, comma-separated (default: every registered backend)', list)
  .addOption(new Option('--tier <tiers>', `tiers to run, comma-separated: ${TIERS.join(', ')}`).argParser(list))
  .option('--filter <text>', 'only cases whose name contains <text>')
  .option('--cases <file>', 'also run the cases of a JSON case file (repeatable; see README)', (v: string, prev: string[] = []) => [...prev, v])
  .option('--json <file>', 'write every case result, the backends and the environment as JSON')
  .option('--seed <n>', 'fast-check seed of the property tier', integer, DEFAULT_PROPERTY_SEED)
  .option('--runs <n>', 'random cases per backend in the property tier', integer, 60)
  .option('--network-size <px>', 'input size of the real network (face-api uses 512)', integer, 512)
  .option('--image <file>', "photograph of @vladmandic/face-api's demo/ folder", 'sample1.jpg')
  .option('--gpujs-mode <mode>', 'gpu.js mode for the gpujs backend (e.g. cpu, headlessgl); default: its own auto mode')
  .option('--no-witnesses', 'do not check the reference with ONNX Runtime and TensorFlow.js')
  .option('--quiet', 'no progress line');

async function main(): Promise<number> {
  program.parse();
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
    gpujsMode?: string;
    witnesses: boolean;
    quiet?: boolean;
  }>();
  const tiers = (opts.tier ?? TIERS.filter((t) => t !== 'file' || opts.cases !== undefined)) as Tier[];
  const unknownTier = tiers.find((t) => !TIERS.includes(t));
  if (unknownTier !== undefined) program.error(`--tier: expected one of ${TIERS.join(', ')}, received ${unknownTier}`);
  if (opts.cases && !tiers.includes('file')) tiers.push('file');

  const registry = new BackendRegistry();
  registerReferenceBackend(registry);
  const missing = await registerAllBackends(registry, { options: opts.gpujsMode ? { gpujs: { mode: opts.gpujsMode } } : {} });
  const known = registry.names();
  for (const name of opts.backends ?? []) {
    if (!known.includes(name) && !missing.some((m) => m.name === name)) program.error(`--backends: unknown backend "${name}" (known: ${known.join(', ')})`);
  }

  const fileCases: ConformanceCase[] = [];
  for (const file of opts.cases ?? []) fileCases.push(...(await loadCaseFile(file)));

  let done = 0;
  const progress = !opts.quiet && process.stderr.isTTY;
  const report = await runSuite({
    registry,
    backends: opts.backends,
    tiers,
    filter: opts.filter,
    fileCases,
    witnesses: opts.witnesses,
    property: { seed: opts.seed, runs: opts.runs },
    network: { image: opts.image, inputSize: opts.networkSize },
    onResult: (r) => {
      done++;
      if (progress) process.stderr.write(`\r\x1b[K[${done}] ${r.status === 'failed' ? '✗' : '✓'} ${r.backend} ${r.case}`.slice(0, process.stderr.columns ?? 120));
    },
  });
  if (progress) process.stderr.write('\r\x1b[K');
  const backends = [
    ...report.backends,
    ...missing.filter((m) => !report.backends.some((b) => b.name === m.name)).map((m) => ({ name: m.name, available: false, reason: `${m.packageName}: ${m.reason}` })),
  ];
  const full = { ...report, backends };
  console.log(renderReport(full));
  if (opts.json) {
    const environment = { node: process.version, platform: process.platform, arch: process.arch, date: new Date().toISOString() };
    await writeFile(opts.json, JSON.stringify({ environment, tiers, ...full }, null, 2));
    console.log(`Results written to ${opts.json}`);
  }
  await registry.dispose();
  return report.results.some((r) => r.status === 'failed') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(2);
  },
);
