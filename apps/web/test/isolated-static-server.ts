/**
 * Test support: a minimal static file server for a bundle that is not Vite's (the webpack
 * fixture), sending the COOP/COEP headers `pnpm web` sends, so that the page is cross-origin
 * isolated exactly as the Vite build is under `vite preview`.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

/** The headers that make a page cross-origin isolated (vite.config.ts's ISOLATION_HEADERS, restated: this server does not load Vite's config). */
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** A running server: its base URL (ends in `/`) and how to stop it. */
export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `/` as the file `index` and every other path from the folder `root` (no listing, nothing
 * outside `root`), on 127.0.0.1 at a free port, with COOP same-origin + COEP require-corp.
 * An unknown path is a 404; a path that climbs out of `root` is a 403.
 */
export async function serveIsolated(root: string, index: string): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = path === '/' ? index : normalize(join(root, path));
    if (path !== '/' && !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
      response.writeHead(403, ISOLATION).end();
      return;
    }
    readFile(file).then(
      (body) => response.writeHead(200, { ...ISOLATION, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404, ISOLATION).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
