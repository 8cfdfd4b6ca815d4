/**
 * Default entry module of a pool thread (Node worker thread or module Web
 * Worker), resolved by the backend as `new URL('./worker.js', import.meta.url)`.
 */
import { startPoolThread } from './worker-runtime.js';

// No top-level await: bundlers build worker chunks as IIFE by default (Vite's `worker.format`),
// which cannot hold one. A start that fails is rethrown as an uncaught error, so the creating
// thread sees the thread's `error` event with the message, as it would from a top-level throw.
startPoolThread().catch((error: unknown) => {
  setTimeout(() => {
    throw error;
  });
});
