import type { MicrokernelKind } from '@pointwise/backend-cpu-tiled';
import type { GpujsModeOption } from '@pointwise/backend-gpujs';
import {
  expandPlainEntry,
  GPUJS_MODE_OPTIONS,
  KERNEL_BACKENDS,
  parseBackendArguments,
  type RequestedBackend,
} from '@pointwise/conformance/backend-configurations';
import { InvalidArgumentError, type ParsedBackendEntry } from '@pointwise/core';
import { isPeerName } from './contenders/peers.js';

export { GPUJS_MODE_OPTIONS };

/**
 * What `--backends` asks for, in order: registry entries in core's
 * selection syntax (`cpu-tiled`, `workers[js,pool]`,
 * `workers[threads=2,kernel=js]`, `gpujs[webasm]`) and peer names
 * (`tfjs-wasm`, `ort-mt`, `naive`), which are not registry backends.
 */
export interface BackendSelection {
  readonly entries: readonly ParsedBackendEntry[];
}

/**
 * Parses a `--backends` list with core's `parseBackendList` (the syntax of
 * `POINTWISE_BACKEND` and of the conformance CLI). Peers are plain names:
 * a peer with bracketed options is an error. The registry entries' options
 * are checked later, by the registry that runs them.
 * @throws {InvalidArgumentError} for an empty list, a malformed entry or a peer with options.
 */
export function parseBackendSelection(text: string): BackendSelection {
  const entries = parseBackendArguments(text, '--backends');
  const configuredPeer = entries.find((e) => isPeerName(e.name) && (Object.keys(e.options).length > 0 || (e.words ?? []).length > 0));
  if (configuredPeer !== undefined) {
    throw new InvalidArgumentError('--backends', `the peer ${configuredPeer.name} without options (peers are not registry backends)`, text);
  }
  return { entries };
}

/**
 * The entries a requested one stands for: a plain `cpu-tiled` / `workers`
 * once per `--kernel` microkernel when `--kernel` was given, a plain
 * `gpujs` once per `--gpujs-mode` when several were given (the single mode
 * is the registration's), anything else as it is.
 */
export function expandBackendEntry(
  entry: ParsedBackendEntry,
  kernelOption: readonly MicrokernelKind[] | undefined,
  gpujsModeOption: readonly GpujsModeOption[],
): RequestedBackend[] {
  if (KERNEL_BACKENDS.includes(entry.name) && kernelOption !== undefined) return expandPlainEntry({ entry }, 'kernel', kernelOption);
  if (entry.name === 'gpujs' && gpujsModeOption.length > 1) return expandPlainEntry({ entry }, 'mode', gpujsModeOption);
  return [{ entry }];
}
