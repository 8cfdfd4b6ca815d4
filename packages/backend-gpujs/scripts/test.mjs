#!/usr/bin/env node
// Runs this package's vitest suite. Headless GL (gpu.js's headlessgl mode) needs an X display: on
// Linux without DISPLAY the suite is re-run under `xvfb-run -a` when it exists; otherwise the
// headlessgl tests skip themselves and this says why.
import { spawnSync } from 'node:child_process';

const vitest = ['vitest', 'run', ...process.argv.slice(2)];
const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY;
const hasXvfb = needsDisplay && spawnSync('sh', ['-c', 'command -v xvfb-run'], { stdio: 'ignore' }).status === 0;

let command = vitest;
if (hasXvfb) {
  console.log('[backend-gpujs] no DISPLAY: running the tests under xvfb-run -a for headless GL');
  command = ['xvfb-run', '-a', ...vitest];
} else if (needsDisplay) {
  console.warn('[backend-gpujs] no DISPLAY and no xvfb-run on PATH: the headlessgl tests will be skipped (install xvfb)');
}
const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit' });
if (result.error) {
  console.error(`[backend-gpujs] could not start ${command[0]}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
