/** The version of this package, stamped on wisdom so that another version's decisions are not trusted. */
export const POINTWISE_CORE_VERSION = '0.1.0';

/**
 * What a measured decision depends on besides the problem: the runtime, the
 * CPU (model and count), the platform and, where known, the GPU. Wisdom made
 * under another fingerprint is ignored (FFTW's rule: never trust wisdom from
 * another machine).
 */
export interface EnvironmentFingerprint {
  /** `node 20.20.2` or the browser's user agent. */
  readonly runtime: string;
  /** `linux x64` or the browser's platform. */
  readonly platform: string;
  /** CPU model where the runtime tells it (Node's diagnostic report), else `unknown`. */
  readonly cpu: string;
  /** Logical processors. */
  readonly cores: number;
  /** GPU identity where known (a caller may add the WebGL renderer); `unknown` otherwise. */
  readonly gpu: string;
}

interface NodeLikeProcess {
  versions?: { node?: string };
  platform?: string;
  arch?: string;
  report?: { getReport?: () => unknown };
}

function nodeCpu(process: NodeLikeProcess): { model: string; count: number } | null {
  try {
    const report = process.report?.getReport?.() as { header?: { cpus?: { model?: string }[] } } | undefined;
    const cpus = report?.header?.cpus;
    if (Array.isArray(cpus) && cpus.length > 0) return { model: String(cpus[0].model ?? 'unknown').trim(), count: cpus.length };
  } catch {
    // No diagnostic report in this runtime: the CPU stays unknown.
  }
  return null;
}

/**
 * The fingerprint of this environment, read without importing platform
 * modules (so core stays loadable in browsers): Node's `process` and its
 * diagnostic report, or the browser's `navigator`.
 * @param gpu a GPU identity to include (e.g. the WebGL `UNMASKED_RENDERER`), default `unknown`.
 */
export function environmentFingerprint(gpu = 'unknown'): EnvironmentFingerprint {
  const g = globalThis as { process?: NodeLikeProcess; navigator?: { userAgent?: string; platform?: string; hardwareConcurrency?: number } };
  const process = g.process;
  if (process?.versions?.node) {
    const cpu = nodeCpu(process);
    return Object.freeze({
      runtime: `node ${process.versions.node}`,
      platform: `${process.platform} ${process.arch}`,
      cpu: cpu?.model ?? 'unknown',
      cores: cpu?.count ?? g.navigator?.hardwareConcurrency ?? 1,
      gpu,
    });
  }
  const navigator = g.navigator;
  return Object.freeze({
    runtime: navigator?.userAgent ?? 'unknown',
    platform: navigator?.platform ?? 'unknown',
    cpu: 'unknown',
    cores: navigator?.hardwareConcurrency ?? 1,
    gpu,
  });
}

/** One string per fingerprint, for keys and messages. */
export function fingerprintKey(f: EnvironmentFingerprint): string {
  return `${f.runtime} | ${f.platform} | ${f.cpu} ×${f.cores} | gpu ${f.gpu}`;
}
