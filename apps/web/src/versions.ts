/** Package versions, read from the manifests at build time (vite.config.ts `define`). */
declare const __POINTWISE_VERSIONS__: Readonly<Record<string, string>>;

export const VERSIONS: Readonly<Record<string, string>> = __POINTWISE_VERSIONS__;

const BACKEND_PACKAGES: Readonly<Record<string, string>> = {
  reference: '@pointwise/core',
  'cpu-tiled': '@pointwise/backend-cpu-tiled',
  workers: '@pointwise/backend-workers',
  gpujs: '@pointwise/backend-gpujs',
};

/** Version of the package behind a configuration (`workers[js]` → `@pointwise/backend-workers`'s). */
export function backendVersion(configuration: string): string {
  const name = configuration.replace(/\[.*$/, '');
  return VERSIONS[BACKEND_PACKAGES[name] ?? ''] ?? 'unknown';
}
