#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { parseBackendEntry, type BackendRegistry } from '@pointwise/core';
import { createConformanceRegistry, createTargets, type MissingBackendPackage } from './backends.js';
import { loadCaseFiles } from './command-line/case-files.js';
import { withGpujsCliHint } from './command-line/gpujs-hint.js';
import { assertSomethingSelected, runOutcome } from './command-line/outcome.js';
import { assertWritableOutput } from './command-line/output-file.js';
import { parseCliArgs } from './command-line/settings.js';
import { EXIT_CODES, UsageError } from './command-line/usage-error.js';
import { renderReport } from './runner/matrix.js';
import { runsPropertyTier, runSuite, selectEntries } from './runner/run-suite.js';

async function main(): Promise<number> {
  // One registry for the run: it checks the --backends configurations, then holds a backend per configuration.
  const { registry, missing } = await createConformanceRegistry();
  try {
    return await check(registry, missing);
  } finally {
    await registry.dispose();
  }
}

async function check(registry: BackendRegistry, missing: readonly MissingBackendPackage[]): Promise<number> {
  const settings = parseCliArgs(process.argv.slice(2), { env: process.env, cwd: process.cwd(), registry });
  if (settings === undefined) return EXIT_CODES.passed;
  if (settings.json !== undefined) await assertWritableOutput('--json', settings.json);
  const fileCases = await loadCaseFiles(settings.cases);
  const { tiers, filter } = settings;
  const network = { image: settings.image, inputSize: settings.networkSize };
  const planned = selectEntries({ tiers, filter, fileCases, network }).length + (runsPropertyTier({ tiers, filter }) ? 1 : 0);
  assertSomethingSelected(planned, { tiers, filter, caseFiles: settings.cases.length });

  const targets = createTargets(settings.configurations, registry);

  let done = 0;
  const progress = !settings.quiet && process.stderr.isTTY;
  const report = await runSuite({
    targets,
    tiers,
    filter,
    fileCases,
    witnesses: settings.witnesses,
    property: { seed: settings.seed, runs: settings.runs },
    network,
    onResult: (r) => {
      done++;
      if (progress) process.stderr.write(`\r\x1b[K[${done}] ${r.status === 'failed' ? '✗' : '✓'} ${r.backend} ${r.case}`.slice(0, process.stderr.columns ?? 120));
    },
  });
  if (progress) process.stderr.write('\r\x1b[K');
  // A row whose package did not load says which package and why; gpujs rows add the CLI spelling of the library's mode hint.
  const backends = report.backends.map((b, i) => {
    if (b.reason === undefined) return b;
    const backend = parseBackendEntry(targets[i].backend).name;
    const m = missing.find((p) => p.name === backend);
    if (m !== undefined) return { ...b, reason: `${m.packageName}: ${m.reason}` };
    return backend === 'gpujs' ? { ...b, reason: withGpujsCliHint(b.reason) } : b;
  });
  const full = { ...report, backends };
  console.log(renderReport(full));
  if (settings.backendsFrom !== 'default') console.log(`Backends from ${settings.backendsFrom}: ${settings.backends?.join(', ')}`);
  let unwritten = false;
  if (settings.json) {
    const environment = { node: process.version, platform: process.platform, arch: process.arch, date: new Date().toISOString() };
    try {
      await writeFile(settings.json, JSON.stringify({ environment, tiers, ...full }, null, 2));
      console.log(`Results written to ${settings.json}`);
    } catch (error) {
      // Writable when checked before the run, not now (a full disk, an I/O error): one line, not a stack.
      console.error(`pointwise-conformance: error: --json: cannot write ${settings.json}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      unwritten = true;
    }
  }
  const outcome = runOutcome(report.results, report.backends);
  if (outcome.message !== undefined) console.error(`pointwise-conformance: error: ${outcome.message}`);
  // A failed check says more than a file not written; a passing run whose file is missing is not a pass.
  return unwritten && outcome.code === EXIT_CODES.passed ? EXIT_CODES.usage : outcome.code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`pointwise-conformance: error: ${error.message} (see --help)`);
    } else {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    }
    process.exit(EXIT_CODES.usage);
  },
);
