/**
 * Default entry module of a pool thread (Node worker thread or module Web
 * Worker), resolved by the backend as `new URL('./worker.js', import.meta.url)`.
 */
import { startPoolThread } from './worker-runtime.js';

await startPoolThread();
