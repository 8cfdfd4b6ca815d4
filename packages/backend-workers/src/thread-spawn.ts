/**
 * The only place that knows how a thread is created: Node `worker_threads`
 * or a browser module Web Worker. Everything above it (the pool, the
 * protocol, the kernel dispatch) is the same code on both.
 */

/** What the pool hears from one thread. */
export interface ThreadListener {
  /** A message the thread posted (already structured-cloned). */
  onMessage(message: unknown): void;
  /**
   * The thread died or can no longer be trusted: an uncaught exception, an
   * exit the pool did not ask for, a message that failed to deserialise.
   * Called at most once per thread.
   */
  onFailure(reason: string): void;
}

/** A started thread, seen from the thread that created it. */
export interface ThreadHandle {
  /** Posts a structured-clone-able message; `SharedArrayBuffer`s inside are shared, not copied. */
  post(message: unknown): void;
  /**
   * Whether the thread keeps the process alive (Node; a no-op in browsers).
   * The pool holds threads only while a run is in flight, so a forgotten
   * `dispose()` does not stop a Node process from exiting.
   */
  hold(active: boolean): void;
  /** Stops the thread; resolves once it is gone. Does not call `onFailure`. */
  terminate(): Promise<void>;
}

/**
 * A worker script's address as the public declarations name it: structural,
 * so a WHATWG `URL` satisfies it and the declarations type-check without the
 * DOM lib or `@types/node`.
 */
export interface WorkerScriptUrl {
  /** The absolute URL (`file:` under Node.js, `http(s):` or `blob:` in browsers). */
  readonly href: string;
}

/** Creates a thread running the module at `url` (synchronously: messages posted at once are queued). */
export type SpawnThread = (url: WorkerScriptUrl, listener: ThreadListener) => ThreadHandle;

interface NodeWorker {
  postMessage(message: unknown): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'message', handler: (message: unknown) => void): void;
  on(event: 'error', handler: (error: Error) => void): void;
  on(event: 'messageerror', handler: (error: Error) => void): void;
  on(event: 'exit', handler: (code: number) => void): void;
}

interface NodeWorkerThreads {
  Worker: new (url: URL, options?: { name?: string; execArgv?: string[] }) => NodeWorker;
}

/**
 * The Node options to start a pool thread with: `undefined` to inherit the parent's (Node's default), or
 * none at all when the parent runs an inline script (`-e`, `-p`, `--input-type`). Node refuses
 * `--input-type` in a thread that runs a file ("--input-type can only be used with string input via
 * --eval, --print, or STDIN"), so a `node --input-type=module -e '…'` one-liner could not start its pool;
 * and an explicit list may hold no V8 flag (`--experimental-wasm-relaxed-simd`, `--max-old-space-size`),
 * which are process-wide and in force in every thread anyway.
 */
export function poolThreadExecArgv(execArgv: readonly string[]): string[] | undefined {
  const inline = execArgv.some((option) => ['-e', '--eval', '-p', '--print', '--input-type'].includes(option) || /^--(input-type|eval|print)=/.test(option));
  return inline ? [] : undefined;
}

/** True under Node.js (also inside a Node worker thread). */
export function isNodeRuntime(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Starts a Node `worker_threads` Worker on the ES module at `url`. */
function spawnNodeThread(Worker: NodeWorkerThreads['Worker'], url: WorkerScriptUrl, listener: ThreadListener): ThreadHandle {
  // A URL object: Node reads a string as a file path.
  const execArgv = poolThreadExecArgv((globalThis as { process?: { execArgv?: string[] } }).process?.execArgv ?? []);
  const worker = new Worker(new URL(url.href), { name: 'pointwise-workers', ...(execArgv === undefined ? {} : { execArgv }) });
  let closing = false;
  let failed = false;
  const fail = (reason: string): void => {
    if (closing || failed) return;
    failed = true;
    listener.onFailure(reason);
  };
  worker.on('message', (message) => listener.onMessage(message));
  worker.on('error', (error) => fail(`worker thread threw ${reasonOf(error)}`));
  worker.on('messageerror', (error) => fail(`a message from a worker thread could not be read: ${reasonOf(error)}`));
  worker.on('exit', (code) => fail(`worker thread exited with code ${code}`));
  return {
    post: (message) => worker.postMessage(message),
    hold: (active) => (active ? worker.ref() : worker.unref()),
    terminate: async () => {
      closing = true;
      await worker.terminate();
    },
  };
}

/**
 * Why a Web Worker failed with an `error` event that carries no message: in
 * Chromium that is a module graph that did not load (a 404, a wrong MIME
 * type, a blocked request, or a bare specifier — the page's import map does
 * not apply inside workers, as observed in Chromium 156).
 */
function moduleLoadFailure(url: WorkerScriptUrl): string {
  return (
    `worker module ${url.href} (or a module it imports) failed to load; check that it is served as JavaScript ` +
    `and that its imports resolve without an import map (import maps do not apply inside workers: bundle the ` +
    `worker or serve it with resolved specifiers, and pass workerUrl if it moved)`
  );
}

/** The default entry's path, relative to this module (a variable, so bundlers do not copy it as a lone asset). */
const DEFAULT_WORKER_ENTRY = './worker.js';

/**
 * This module's URL, read apart from `new URL(…)`: webpack 5 turns
 * `new URL(<non-literal>, import.meta.url)` into a context module that throws
 * "Cannot find module './worker.js'" when the bundle loads; a base held in a
 * variable is left alone by webpack and Vite (webpack substitutes the
 * module's `file:` URL, which only ever names the default entry).
 */
const MODULE_URL: string = import.meta.url;

/**
 * The default pool-thread entry, `./worker.js` next to this module. The
 * backend uses it when no `workerUrl` is given; in browsers a thread on it is
 * started by the literal `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`
 * (see {@link spawnWebThread}), so bundlers emit the entry with its imports.
 */
export const DEFAULT_WORKER_URL: WorkerScriptUrl = new URL(DEFAULT_WORKER_ENTRY, MODULE_URL);

/**
 * Starts a browser module Web Worker on the script at `url`. The default
 * entry is started by the literal `new Worker(new URL('./worker.js',
 * import.meta.url), { type: 'module' })` form that Vite, webpack 5 and
 * Parcel recognise: a production build emits `worker.js` and everything it
 * imports as a worker chunk and rewrites the URL (a computed URL would be
 * copied or inlined as a lone asset whose relative imports cannot resolve).
 * Any other URL (the `workerUrl` option) is loaded as given.
 */
function spawnWebThread(url: WorkerScriptUrl, listener: ThreadListener): ThreadHandle {
  const worker =
    url.href === DEFAULT_WORKER_URL.href
      ? new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'pointwise-workers' })
      : new Worker(url.href, { type: 'module', name: 'pointwise-workers' });
  let closing = false;
  let failed = false;
  const fail = (reason: string): void => {
    if (closing || failed) return;
    failed = true;
    // A Web Worker that threw at top level may linger half-alive; end it for sure.
    worker.terminate();
    listener.onFailure(reason);
  };
  worker.addEventListener('message', (event) => listener.onMessage(event.data));
  worker.addEventListener('error', (event) => fail(event.message ? `worker thread threw ${event.message}` : moduleLoadFailure(url)));
  worker.addEventListener('messageerror', () => fail('a message from a worker thread could not be read'));
  return {
    post: (message) => worker.postMessage(message),
    hold: () => {},
    terminate: async () => {
      closing = true;
      worker.terminate();
    },
  };
}

/**
 * Returns the thread factory of this runtime: Node `worker_threads` Workers
 * under Node.js, module Web Workers (`new Worker(url, { type: 'module' })`)
 * in browsers and other runtimes with a global `Worker`. Asynchronous once
 * (Node's module is imported lazily so browser bundles never load it); the
 * factory it returns starts threads synchronously.
 *
 * @throws {Error} when the runtime has neither.
 */
export async function loadThreadFactory(): Promise<SpawnThread> {
  if (isNodeRuntime()) {
    const specifier = 'node:worker_threads';
    const { Worker } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as NodeWorkerThreads;
    return (url, listener) => spawnNodeThread(Worker, url, listener);
  }
  if (typeof Worker === 'function') return spawnWebThread;
  throw new Error('this runtime has neither Node worker_threads nor Web Workers');
}
