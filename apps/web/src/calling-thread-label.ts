import type { BrowserPeerName } from './browser-peers.js';

/**
 * The page's "main thread" column: what a configuration's run does to the thread that calls it —
 * the page's main thread, whose painting and input wait while it is busy. The value is core's
 * `callingThreadUse` (`details.callingThread` on bench rows, `callingThread` on conformance
 * statuses); peers declare nothing, so the page states what it knows of them
 * ({@link PEER_CALLING_THREAD}); other peers and loaded files without a value show a dash.
 */
const LABELS: Readonly<Record<string, string>> = {
  blocked: 'blocked for the whole run',
  shared: 'computes a share, or small runs',
  free: 'free (awaits other threads)',
  undeclared: 'undeclared',
};

/** The label of a `callingThread` value; `—` when absent, the raw value when unknown to this page. */
export function callingThreadLabel(value: unknown): string {
  if (value === undefined || value === null) return '—';
  return LABELS[String(value)] ?? String(value);
}

/**
 * What a peer's run does to the thread that calls it, for the peers where it is known (they declare
 * nothing themselves). TF.js's `wasm` backend and onnxruntime-web's `wasm` provider (the page sets
 * `ort.env.wasm.proxy = false`) run the whole convolution as synchronous WebAssembly on the calling
 * thread: their pthreads join inside the call, so that thread is blocked for the run's duration (the
 * returned Promise only settles afterwards). TF.js's `cpu` backend is plain synchronous JavaScript on
 * the calling thread. The GPU peers (`tfjs-webgl`, `tfjs-webgpu`, `ort-webgpu`) are left undeclared.
 */
export const PEER_CALLING_THREAD: Readonly<Partial<Record<BrowserPeerName, 'blocked'>>> = {
  'tfjs-cpu': 'blocked',
  'tfjs-wasm': 'blocked',
  'ort-wasm': 'blocked',
};

/**
 * The "main thread" cell of a bench row: the contender's declared `callingThread`, else what the page
 * knows of it as a peer ({@link PEER_CALLING_THREAD}), else `—`.
 */
export function contenderCallingThreadLabel(contender: string, declared: unknown): string {
  return callingThreadLabel(declared ?? (Object.hasOwn(PEER_CALLING_THREAD, contender) ? PEER_CALLING_THREAD[contender as BrowserPeerName] : undefined));
}
