import { defineConfig } from 'vitest/config';

// One root config that runs every package's and app's own vitest project.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
  },
});
