/** Builds apps/web for production once before the browser test files (skipped where Chromium is absent). */
import { buildApp, CHROMIUM_MISSING } from './browser-session.js';

export default async function setup(): Promise<void> {
  if (CHROMIUM_MISSING !== undefined) return;
  const started = performance.now();
  await buildApp();
  console.log(`vite build: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
