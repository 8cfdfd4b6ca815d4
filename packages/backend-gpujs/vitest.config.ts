import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'gpujs',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Software GL (llvmpipe) compiles and draws slowly; one file at a time keeps the two cores for it.
    testTimeout: 60_000,
    fileParallelism: false,
  },
});
