import { defineConfig } from 'vitest/config';

/**
 * `pnpm test:browser` (root) / `pnpm --filter @pointwise/web test:browser`: the production build in
 * Debian's Chromium. The build runs once (globalSetup); the test files run one after another (each
 * drives a Chromium and a preview server; the machine has 2 cores).
 */
export default defineConfig({
  test: {
    name: 'web-browser',
    include: ['test/browser*.test.ts'],
    globalSetup: ['test/browser-global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
