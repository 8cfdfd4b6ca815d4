import { InvalidArgumentError } from '@pointwise/core';
import { UsageError } from './usage-error.js';

/**
 * Checks a `--gpujs-mode` value with the gpujs package's own option
 * validation (`resolveGpujsOptions`), so a typo is a usage error instead of
 * an "unavailable" gpujs row. The package is imported dynamically, as in
 * `registerAllBackends`: when it cannot be loaded the value cannot be
 * checked here, and the run lists gpujs as not registered.
 *
 * @throws {UsageError} when the gpujs package rejects the mode.
 */
export async function checkGpujsMode(mode: string): Promise<void> {
  let resolve: ((options: { mode: string }) => unknown) | undefined;
  try {
    const specifier: string = '@pointwise/backend-gpujs';
    resolve = ((await import(specifier)) as { resolveGpujsOptions?: (options: { mode: string }) => unknown }).resolveGpujsOptions;
  } catch {
    return;
  }
  try {
    resolve?.({ mode });
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new UsageError(`--gpujs-mode: expected ${error.expected}, received "${mode}"`);
    throw error;
  }
}
