import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const VERSIONED = [
  '@pointwise/core',
  '@pointwise/backend-cpu-tiled',
  '@pointwise/backend-workers',
  '@pointwise/backend-gpujs',
  '@pointwise/bench',
  '@pointwise/conformance',
  'gpu.js',
  'chart.js',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-backend-webgpu',
  'onnxruntime-web',
];

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** The virtual module that lists the real network's served files (`src/network-assets.ts` imports it). */
const NETWORK_ASSETS_ID = 'virtual:ssd-mobilenet-v1-assets';

/**
 * The conformance network tier's files, served as this build's own assets: the SSD-MobileNetV1
 * weights manifest, its shards and the `demo/*.jpg` photographs of the `@vladmandic/face-api`
 * package installed for @pointwise/conformance (resolved from there: the page does not depend on
 * face-api itself). A virtual module `?url&no-inline`-imports each file, so Vite copies them into
 * `dist/assets/` (hashed names, never inlined) and the page fetches them from its own origin.
 */
function ssdMobilenetV1Assets(): Plugin {
  const faceApi = dirname(createRequire(here('../conformance/package.json')).resolve('@vladmandic/face-api/package.json'));
  const manifestPath = join(faceApi, 'model/ssd_mobilenetv1_model-weights_manifest.json');
  const shards = [...new Set((JSON.parse(readFileSync(manifestPath, 'utf8')) as { paths: string[] }[]).flatMap((g) => g.paths))];
  const images = readdirSync(join(faceApi, 'demo')).filter((f) => f.endsWith('.jpg')).sort();
  const url = (path: string): string => JSON.stringify(`${path}?url&no-inline`);
  return {
    name: 'pointwise:ssd-mobilenet-v1-assets',
    resolveId: (id) => (id === NETWORK_ASSETS_ID ? `\0${NETWORK_ASSETS_ID}` : undefined),
    load: (id) => {
      if (id !== `\0${NETWORK_ASSETS_ID}`) return undefined;
      const entries = (names: string[], dir: string, prefix: string) => names.map((n, i) => [`import ${prefix}${i} from ${url(join(dir, n))};`, `${JSON.stringify(n)}: ${prefix}${i}`]);
      const s = entries(shards, dirname(manifestPath), 'shard');
      const im = entries(images, join(faceApi, 'demo'), 'image');
      return [
        `import manifest from ${url(manifestPath)};`,
        ...s.map(([i]) => i),
        ...im.map(([i]) => i),
        `export default { manifest, shards: { ${s.map(([, e]) => e).join(', ')} }, images: { ${im.map(([, e]) => e).join(', ')} } };`,
      ].join('\n');
    },
  };
}

/**
 * TF.js wasm's threaded build, made bundleable. Its pthread workers evaluate the module factory's
 * source text (`factory.toString()` in a Blob, `mainScriptUrlOrBlob`) on their own, outside the
 * closure that declares `_scriptDir`; the factory only reads it behind `typeof _scriptDir !==
 * "undefined"`, which is safe there. A minifier that sees `_scriptDir` bound in the enclosing
 * function rewrites that guard to `e !== void 0` (its mangled name): in a worker `e` is not defined
 * and every pthread dies. Renaming the enclosing declaration leaves the factory's `_scriptDir` a
 * free (global) name, so the guard survives minification; the factory then takes its script
 * directory from nothing, which is fine: the page hands TF.js every binary's URL (`setWasmPaths`).
 */
function tfjsWasmThreadsBundleable(): Plugin {
  const file = /@tensorflow\/tfjs-backend-wasm\/wasm-out\/tfjs-backend-wasm-threaded-simd\.js$/;
  const declaration = "var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;\n  if (typeof __filename !== 'undefined') _scriptDir = _scriptDir || __filename;";
  return {
    name: 'pointwise:tfjs-wasm-threads-bundleable',
    transform(code, id) {
      if (!file.test(id)) return undefined;
      if (!code.includes(declaration)) this.error(`${id}: the _scriptDir declaration this plugin renames is not there (a new @tensorflow/tfjs-backend-wasm?)`);
      return { code: code.replace(declaration, declaration.replaceAll('_scriptDir', '_scriptDirOfBundle')), map: null };
    },
  };
}

/** Versions stamped on the page's rows, read from the installed manifests at build time. */
function versions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of VERSIONED) {
    try {
      out[name] = (JSON.parse(readFileSync(fileURLToPath(new URL(`./node_modules/${name}/package.json`, import.meta.url)), 'utf8')) as { version: string }).version;
    } catch {
      out[name] = 'unknown';
    }
  }
  return out;
}

/**
 * Cross-origin isolation (COOP same-origin + COEP require-corp): without it a page has no
 * SharedArrayBuffer and the workers backend lists itself unavailable. The dev server and
 * `vite preview` (what `pnpm web` and the browser test serve the production build with) send them.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

export default defineConfig({
  base: './',
  define: { __POINTWISE_VERSIONS__: JSON.stringify(versions()) },
  plugins: [ssdMobilenetV1Assets(), tfjsWasmThreadsBundleable()],
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
  // The harness worker (src/harness-worker.ts) is a module worker: it loads the backends' and peers'
  // lazy chunks with import() and starts the workers backend's pool from inside (nested module workers);
  // it loads TF.js wasm's threaded build too, so its bundle gets the same plugin.
  worker: { format: 'es', plugins: () => [tfjsWasmThreadsBundleable()] },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
});
