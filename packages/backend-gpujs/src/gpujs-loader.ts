import type { GpuJsModule } from './gpujs-api.js';

/** The outcome of loading gpu.js: the module, or why it could not be loaded. */
export type GpuJsLoad = { readonly ok: true; readonly gpujs: GpuJsModule } | { readonly ok: false; readonly reason: string };

let loading: Promise<GpuJsLoad> | undefined;

/**
 * Imports gpu.js once per process (a dynamic `import()`, so a missing or
 * broken gpu.js only makes this backend unavailable). gpu.js is CommonJS:
 * Node exposes its `module.exports` as the default export.
 * Never rejects; a failure is returned with its reason.
 */
export function loadGpuJs(): Promise<GpuJsLoad> {
  loading ??= import('gpu.js').then(
    (namespace: unknown) => {
      const ns = namespace as { default?: GpuJsModule } & Partial<GpuJsModule>;
      const gpujs = (ns.GPU ? ns : ns.default) as GpuJsModule | undefined;
      if (!gpujs || typeof gpujs.GPU !== 'function') return { ok: false, reason: 'gpu.js loaded but exports no GPU class' } as const;
      return { ok: true, gpujs } as const;
    },
    (error: unknown) =>
      ({
        ok: false,
        reason: `gpu.js could not be loaded (${error instanceof Error ? error.message : String(error)}); it is an optional peer dependency: install gpu.js (and gl for headless GL): npm i gpu.js`,
      }) as const,
  );
  return loading;
}
