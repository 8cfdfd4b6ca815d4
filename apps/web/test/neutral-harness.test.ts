/**
 * "One harness, two shells": the subpath exports that the page imports must not reach Node.
 * Walks the static import graph of each built entry (relative modules followed, bare
 * specifiers collected) and checks what it reaches.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const STATIC = /(?:^|[;\n}])\s*(?:import|export)\s*(?:[^'"`;]*?\sfrom\s*)?['"]([^'"]+)['"]/g;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
/** Packages that exist only for the Node shells. */
const NODE_ONLY = ['onnxruntime-node', 'commander', 'cli-table3', 'cli-progress', '@tensorflow/tfjs-backend-wasm', 'protobufjs', '@vladmandic/face-api', 'jpeg-js'];

function importGraph(entry: string): { modules: string[]; bare: Set<string>; dynamic: Set<string> } {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const dynamic = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(STATIC)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else bare.add(specifier);
    }
    for (const [, specifier] of source.matchAll(DYNAMIC)) dynamic.add(specifier.startsWith('.') ? resolve(dirname(file), specifier) : specifier);
  };
  visit(entry);
  return { modules: [...seen], bare, dynamic };
}

describe.each(['@pointwise/bench/harness', '@pointwise/conformance/harness'])('%s', (subpath) => {
  const graph = importGraph(require.resolve(subpath));

  it('imports nothing from node:* and no Node-only package', () => {
    expect(graph.modules.length).toBeGreaterThan(5);
    expect([...graph.bare].filter((s) => s.startsWith('node:') || NODE_ONLY.some((p) => s === p || s.startsWith(`${p}/`)))).toEqual([]);
    expect([...graph.bare].every((s) => s.startsWith('@pointwise/') || s === 'fast-check')).toBe(true);
  });

  it('reaches Node code only through the lazily imported network-tier loader (and TF.js only lazily)', () => {
    // The Node loader (read from the installed package), and TF.js's cpu backend for the browser network loader.
    expect([...graph.dynamic].filter((s) => !s.endsWith('/network/ssd-mobilenet-v1.js') && !s.endsWith('/witnesses/tfjs-runtime.js'))).toEqual([]);
  });
});
