import { defineConfig } from 'vite';

/**
 * Cross-origin isolation (COOP same-origin + COEP require-corp): without it a page has no
 * SharedArrayBuffer and the workers backend lists itself unavailable. The dev server and
 * `vite preview` (what `pnpm web` and the browser test serve the production build with) send them.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

export default defineConfig({
  base: './',
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
});
