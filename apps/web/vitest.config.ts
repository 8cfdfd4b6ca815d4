import { defineProject } from 'vitest/config';

/**
 * `pnpm test` (the default `vitest run`): the Node tests only. The Chromium tests
 * (`test/browser*.test.ts`) run with `vitest.browser.config.ts`, by `pnpm test:browser` at the root
 * (which `.ci/run` runs after `pnpm test`).
 */
export default defineProject({
  test: {
    name: 'web',
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser*.test.ts', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
