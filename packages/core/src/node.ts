/**
 * @pointwise/core/node — helpers that need Node's platform modules, kept out
 * of the main entry so that it loads in browsers.
 */
export * from './node/file-wisdom-store.js';
