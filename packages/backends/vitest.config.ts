import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'backends', include: ['test/**/*.test.ts'] },
});
