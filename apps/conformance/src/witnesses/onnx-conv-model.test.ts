import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Every bare specifier the module at `file` reaches through its relative imports (type-only imports included). */
function bareImports(file: string, seen = new Set<string>()): Set<string> {
  const bare = new Set<string>();
  if (seen.has(file)) return bare;
  seen.add(file);
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
    if (specifier!.startsWith('.')) for (const b of bareImports(join(dirname(file), specifier!.replace(/\.js$/, '.ts')), seen)) bare.add(b);
    else bare.add(specifier!);
  }
  return bare;
}

describe('@pointwise/conformance/onnx-model', () => {
  it('is exported as its own subpath, at the built path of onnx-conv-model.ts', () => {
    const manifest = JSON.parse(readFileSync(join(HERE, '../../package.json'), 'utf8')) as { exports: Record<string, { default: string; types: string }> };
    expect(manifest.exports['./onnx-model']).toEqual({ types: './dist/witnesses/onnx-conv-model.d.ts', default: './dist/witnesses/onnx-conv-model.js' });
  });

  it('reaches no engine and no Node module: only core (types) and protobufjs, so a browser bundle needs no alias', () => {
    expect([...bareImports(join(HERE, 'onnx-conv-model.ts'))].sort()).toEqual(['@pointwise/core', 'protobufjs']);
  });
});
