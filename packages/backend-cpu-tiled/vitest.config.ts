import { defineProject } from 'vitest/config';

export default defineProject({
  // --expose-gc: the test that dropped (never disposed) operators are reclaimed collects garbage explicitly.
  test: { name: 'cpu-tiled', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], execArgv: ['--expose-gc'] },
});
