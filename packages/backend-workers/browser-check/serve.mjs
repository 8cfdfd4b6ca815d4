/**
 * The static server of the browser check and the browser bench: the built ES modules of core,
 * backend-cpu-tiled and backend-workers (their `dist/`) and this folder, from 127.0.0.1, with
 * an import map for the page and the `@pointwise/*` specifiers rewritten for module workers.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = fileURLToPath(new URL('.', import.meta.url)).replace(/[\/]$/, '');
const packages = join(here, '..', '..');

/** URL prefix → folder served under it. */
export const MOUNTS = {
  '/core/': join(packages, 'core', 'dist'),
  '/cpu-tiled/': join(packages, 'backend-cpu-tiled', 'dist'),
  '/workers/': join(packages, 'backend-workers', 'dist'),
  '/check/': here,
};

const IMPORT_MAP = {
  imports: {
    '@pointwise/core': '/core/index.js',
    '@pointwise/backend-cpu-tiled': '/cpu-tiled/index.js',
    '@pointwise/backend-cpu-tiled/kernel': '/cpu-tiled/kernel.js',
    '@pointwise/backend-workers': '/workers/index.js',
  },
};

/** The page: the import map, then `entry` (a module of this folder) imported and kept as `window[global]`. */
function pageHtml(title, entry, global) {
  return `<!doctype html><meta charset="utf-8"><title>${title}</title>
<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script>
<script type="module">import * as m from '/check/${entry}'; window.${global} = m;</script>`;
}

/**
 * Import maps do not apply inside module Web Workers (Chromium 156 fails to load a worker
 * module with a bare import even when the page has an import map), so the modules a worker
 * loads get their `@pointwise/*` specifiers rewritten to the import map's URLs — what a
 * bundler or a dev server such as Vite does. The page's own modules use the import map.
 */
function resolveBareSpecifiers(source) {
  return source.replace(/(from\s*|import\s*\(\s*)(['"])(@pointwise\/[^'"]+)\2/g, (match, lead, quote, specifier) => {
    const target = IMPORT_MAP.imports[specifier];
    return target === undefined ? match : `${lead}${quote}${target}${quote}`;
  });
}

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json', '.wasm': 'application/wasm', '.html': 'text/html' };

/**
 * A static server on 127.0.0.1 (a free port); `isolated` adds the COOP/COEP headers to every response;
 * `page` names the module the page at `/` imports and the global it is kept as; `extraMounts`
 * adds URL prefixes → folders (another build to compare with).
 */
export function serve(isolated, page = { title: 'pointwise workers browser check', entry: 'page.js', global: 'pointwiseCheck' }, extraMounts = {}) {
  const mounts = { ...MOUNTS, ...extraMounts };
  const html = pageHtml(page.title, page.entry, page.global);
  const server = createServer(async (request, response) => {
    const headers = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    if (path === '/favicon.ico') {
      response.writeHead(204, headers).end();
      return;
    }
    if (path === '/') {
      response.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(html);
      return;
    }
    const prefix = Object.keys(mounts).find((p) => path.startsWith(p));
    const root = prefix && mounts[prefix];
    const file = root && normalize(join(root, path.slice(prefix.length)));
    if (!file || !file.startsWith(root + sep) || !existsSync(file)) {
      response.writeHead(404, headers).end('not found');
      return;
    }
    const inWorker = request.headers['sec-fetch-dest'] === 'worker';
    const body = inWorker && extname(file) === '.js' ? resolveBareSpecifiers(await readFile(file, 'utf8')) : await readFile(file);
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    // The same URL is served differently to workers, so nothing may be cached across the two.
    response.writeHead(200, { ...headers, 'Content-Type': type, 'Cache-Control': 'no-store', Vary: 'Sec-Fetch-Dest' }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The URL a server from {@link serve} listens on. */
export const urlOf = (server) => `http://127.0.0.1:${server.address().port}/`;
