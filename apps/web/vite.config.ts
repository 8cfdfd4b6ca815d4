import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

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

/**
 * The ort peers run the conformance witness's ONNX model builder (`buildOnnxConvModel`), which
 * @pointwise/conformance does not export on its own: its module also holds the Node witness and
 * imports onnxruntime-node. In this bundle that import is onnxruntime-web (same API; only the
 * builder runs) and the builder's module is reached by its built path. tsconfig.json's `paths`
 * mirror the first alias for the type checker.
 */
const ONNX_MODEL_ALIASES = [
  { find: /^@pointwise\/conformance-onnx-model$/, replacement: here('../conformance/dist/witnesses/onnx-conv.js') },
  { find: /^onnxruntime-node$/, replacement: here('./src/ort-node-shim.ts') },
];

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
  resolve: { alias: ONNX_MODEL_ALIASES },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
});
