import os from 'node:os';

/** The machine and runtime a report was measured on. */
export interface Environment {
  /** CPU model as the OS reports it (`/proc/cpuinfo` on Linux). */
  readonly cpuModel: string;
  /** Logical CPUs the OS reports. */
  readonly logicalCores: number;
  /** `os.availableParallelism()`: CPUs this process may use. */
  readonly availableParallelism: number;
  /** Total memory, GiB. */
  readonly memoryGiB: number;
  readonly platform: string;
  readonly arch: string;
  readonly osRelease: string;
  readonly nodeVersion: string;
  readonly v8Version: string;
  /** 1-minute load average at the start of the run (a noise indicator on shared machines). */
  readonly loadAverage1m: number;
}

/** Describes this machine and Node runtime. */
export function describeEnvironment(): Environment {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    logicalCores: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: process.platform,
    arch: process.arch,
    osRelease: os.release(),
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

/** One line for table headers: `AMD EPYC · 2 cores · 23.4 GiB · linux x64 · Node v20.20.2`. */
export function environmentLine(env: Environment): string {
  return `${env.cpuModel} · ${env.logicalCores} logical cores · ${env.memoryGiB} GiB · ${env.platform} ${env.arch} · Node ${env.nodeVersion} · load ${env.loadAverage1m}`;
}
