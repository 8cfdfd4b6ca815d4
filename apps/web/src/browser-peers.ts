/**
 * The browser peers: TensorFlow.js (cpu, wasm, webgl, webgpu) and onnxruntime-web (wasm, webgpu),
 * as `@pointwise/bench/harness` contenders. Only the loading lives here — which module, where its
 * wasm binaries are served, how many threads — so the harness stays free of package imports;
 * every engine is imported lazily, when a run asks for it.
 *
 * The wasm binaries are this build's own assets (`?url` imports: Vite copies them into `dist/`
 * with hashed names), handed to `setWasmPaths` and `ort.env.wasm.wasmPaths`: nothing is fetched
 * from a CDN, and the page works offline and under COEP `require-corp`.
 */
import { BrowserOrtContender, BrowserTfjsContender, type BrowserTfjsBackend, type BrowserTfjsRuntime, type Contender, type OrtWebApi, type OrtWebProvider, type OrtWebRuntime } from '@pointwise/bench/harness';
import tfjsWasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import tfjsWasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import tfjsWasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import { VERSIONS } from './versions.js';

/** Peer names, in the order the page lists them (the Node CLI's `tfjs-cpu` and `tfjs-wasm` keep their names). */
export const BROWSER_PEERS = ['tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-webgpu', 'ort-wasm', 'ort-webgpu'] as const;
export type BrowserPeerName = (typeof BROWSER_PEERS)[number];

export function isBrowserPeer(name: string): name is BrowserPeerName {
  return (BROWSER_PEERS as readonly string[]).includes(name);
}

/** Threads the wasm engines get: every core when the page is cross-origin isolated (SharedArrayBuffer), else 1. */
export function wasmThreads(): number {
  return globalThis.crossOriginIsolated ? Math.max(1, navigator.hardwareConcurrency || 1) : 1;
}

/** Where a served binary lives, as the row shows it (the file name Vite gave it). */
const served = (url: string): string => url.replace(/^.*\//, '');

type Tf = typeof import('@tensorflow/tfjs-core');
let tfCore: Promise<Tf> | undefined;

/** TF.js core once, in production mode (no debug checks), as a deployed page would run it. */
function loadTfCore(): Promise<Tf> {
  tfCore ??= import('@tensorflow/tfjs-core').then((tf) => {
    tf.enableProdMode();
    return tf;
  });
  return tfCore;
}

async function tfjsRuntime(backend: BrowserTfjsBackend): Promise<BrowserTfjsRuntime> {
  const tf = await loadTfCore();
  switch (backend) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return { tf, backendVersion: VERSIONS['@tensorflow/tfjs-backend-cpu'] ?? 'unknown' };
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths({
        'tfjs-backend-wasm.wasm': tfjsWasmUrl,
        'tfjs-backend-wasm-simd.wasm': tfjsWasmSimdUrl,
        'tfjs-backend-wasm-threaded-simd.wasm': tfjsWasmThreadedSimdUrl,
      });
      // The threaded SIMD build where the page is isolated (TF.js detects shared wasm memory), asked
      // for every core; vite.config.ts's tfjsWasmThreadsBundleable keeps its pthread workers alive in
      // this minified bundle. TF.js caps XNNPACK's pool at hardwareConcurrency / 2 (its backend.cc
      // assumes two logical cores per physical one), so rows stamp what was asked and what it got.
      // Without isolation TF.js picks the SIMD build, single-threaded.
      const requestedThreads = wasmThreads();
      wasm.setThreadsCount(requestedThreads);
      return {
        tf,
        backendVersion: wasm.version_wasm,
        // Called once the backend initialised: both flags have been evaluated (and cached) by then.
        settings: () => {
          const threaded = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') && tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
          return {
            threads: wasm.getThreadsCount(),
            requestedThreads,
            binary: served(threaded ? tfjsWasmThreadedSimdUrl : tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? tfjsWasmSimdUrl : tfjsWasmUrl),
          };
        },
      };
    }
    case 'webgl': {
      const webgl = await import('@tensorflow/tfjs-backend-webgl');
      return { tf, backendVersion: webgl.version_webgl };
    }
    case 'webgpu': {
      await import('@tensorflow/tfjs-backend-webgpu');
      return { tf, backendVersion: VERSIONS['@tensorflow/tfjs-backend-webgpu'] ?? 'unknown', settings: { adapter: await webgpuAdapter() } };
    }
  }
}

/** The WebGPU adapter's description, or a reason why there is none. */
async function webgpuAdapter(): Promise<string> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string } } | null> } }).gpu;
  if (gpu === undefined) throw new Error('this browser has no navigator.gpu (WebGPU)');
  const adapter = await gpu.requestAdapter();
  if (adapter === null) throw new Error('navigator.gpu.requestAdapter() returned no adapter');
  const info = adapter.info;
  return [info?.vendor, info?.architecture, info?.description].filter((s) => s).join(' ') || 'unnamed adapter';
}

interface OrtModule {
  readonly ort: OrtWebApi & { env: { wasm: Record<string, unknown>; versions?: Record<string, string> } };
  readonly buildModel: OrtWebRuntime['buildModel'];
}
let ortModule: Promise<OrtModule> | undefined;

/** onnxruntime-web and the conformance witness's model builder, once; `env.wasm` set before the first session. */
function loadOrt(): Promise<OrtModule> {
  ortModule ??= import('./ort-model.js').then(({ ort, buildOnnxConvModel }) => {
    ort.env.wasm.wasmPaths = { wasm: ortWasmUrl };
    ort.env.wasm.numThreads = wasmThreads();
    ort.env.wasm.proxy = false;
    return { ort: ort as unknown as OrtModule['ort'], buildModel: (g, w, b) => buildOnnxConvModel(g, w, b) };
  });
  return ortModule;
}

async function ortRuntime(provider: OrtWebProvider): Promise<OrtWebRuntime> {
  const { ort, buildModel } = await loadOrt();
  const version = ort.env.versions?.web ?? VERSIONS['onnxruntime-web'] ?? 'unknown';
  const settings = { threads: ort.env.wasm.numThreads as number, simd: true, proxy: false, binary: served(ortWasmUrl) };
  if (provider === 'webgpu') {
    try {
      return { ort, version, buildModel, settings: { ...settings, adapter: await webgpuAdapter() } };
    } catch (error) {
      return { ort, version, buildModel, unavailable: error instanceof Error ? error.message : String(error) };
    }
  }
  return { ort, version, buildModel, settings };
}

/** A browser peer contender (not loaded yet). */
export function createBrowserPeer(name: BrowserPeerName): Contender {
  switch (name) {
    case 'tfjs-cpu':
    case 'tfjs-wasm':
    case 'tfjs-webgl':
    case 'tfjs-webgpu': {
      const backend = name.slice('tfjs-'.length) as BrowserTfjsBackend;
      return new BrowserTfjsContender(backend, () => tfjsRuntime(backend));
    }
    case 'ort-wasm':
    case 'ort-webgpu': {
      const provider = name.slice('ort-'.length) as OrtWebProvider;
      return new BrowserOrtContender(provider, () => ortRuntime(provider));
    }
  }
}
