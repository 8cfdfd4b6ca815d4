import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBackendEntry } from '@pointwise/core';
import { BACKEND_PACKAGE_NAMES } from './contenders/backend-contender.js';

const require = createRequire(import.meta.url);

function readManifest(path: string): { name?: string; version?: string } | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
  } catch {
    return null;
  }
}

/**
 * The version in a package's `package.json`, found by resolving the package's
 * entry point from this app and walking up to the manifest that carries its
 * name (works for packages whose `exports` hide `package.json`).
 * Returns `'unknown'` when the package cannot be resolved.
 */
export function packageVersion(packageName: string): string {
  let entry: string;
  try {
    entry = require.resolve(packageName);
  } catch {
    return 'unknown';
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = readManifest(join(dir, 'package.json'));
    if (manifest?.name === packageName) return manifest.version ?? 'unknown';
  }
  return 'unknown';
}

/** Version of `@pointwise/bench` itself (stamped on the naive baseline's rows). */
export const BENCH_VERSION: string =
  readManifest(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'))?.version ?? 'unknown';

/** Version of the package behind a backend name or configuration (`workers[js]` → `@pointwise/backend-workers`'s). */
export function backendVersion(backend: string): string {
  const pkg = BACKEND_PACKAGE_NAMES[parseBackendEntry(backend).name];
  return pkg === undefined ? 'unknown' : packageVersion(pkg);
}
