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
  /** Set when the run was in a browser (apps/web): what the page saw; the Node fields then say `browser`. */
  readonly browser?: BrowserEnvironment;
}

/** A browser run's environment (apps/web fills it). */
export interface BrowserEnvironment {
  readonly userAgent: string;
  /** `navigator.hardwareConcurrency`. */
  readonly hardwareConcurrency: number;
  readonly crossOriginIsolated: boolean;
  /** WebGL2's unmasked renderer (`WEBGL_debug_renderer_info`), or why there is none. */
  readonly webglRenderer: string;
  /** The WebGPU adapter (vendor, architecture), or why there is none. */
  readonly webgpuAdapter: string;
}

/** One line for table headers: `AMD EPYC · 2 cores · 23.4 GiB · linux x64 · Node v20.20.2`. */
export function environmentLine(env: Environment): string {
  return `${env.cpuModel} · ${env.logicalCores} logical cores · ${env.memoryGiB} GiB · ${env.platform} ${env.arch} · ${env.browser ? env.browser.userAgent : `Node ${env.nodeVersion} · load ${env.loadAverage1m}`}`;
}
