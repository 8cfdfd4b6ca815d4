import { InvalidArgumentError } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { parseBackendList } from '@pointwise/conformance/backend-configurations';
import { expandBackendName, parseBackendSelection } from './backend-selection.js';

describe('parseBackendSelection', () => {
  it('collects the configurations of bracketed names, keeping names in order without duplicates', () => {
    expect(parseBackendSelection('cpu-tiled[js], workers[wasm-simd],gpujs[webasm],naive,cpu-tiled[js]')).toEqual({
      names: ['cpu-tiled[js]', 'workers[wasm-simd]', 'gpujs[webasm]', 'naive'],
      kernels: ['js', 'wasm-simd'],
      gpujsModes: ['webasm'],
    });
    expect(parseBackendSelection('cpu-tiled,ort-mt')).toEqual({ names: ['cpu-tiled', 'ort-mt'], kernels: [], gpujsModes: [] });
  });

  it("parses with the conformance app's parser, so a configuration reads the same in both apps", () => {
    expect(parseBackendSelection('workers[ wasm-simd ],gpujs[cpu]').names).toEqual(parseBackendList('workers[ wasm-simd ],gpujs[cpu]').map((c) => c.name));
  });

  it.each([
    ['cpu-tiled[avx]', /cpu-tiled\[…\] with js, wasm-simd/],
    ['gpujs[metal]', /gpujs\[mode\] with one mode among auto, /],
    ['naive[js]', /only on cpu-tiled, workers, gpujs/],
    ['cpu-tiled[js', /backend\[configuration\]/],
    [' , ', /at least one backend/],
    ['workers[pool]', /workers\[pool\] is a conformance configuration/],
    ['workers[js,pool]', /conformance configuration.*received "workers\[js,pool\]"/],
  ])('rejects %s', (text, message) => {
    expect(() => parseBackendSelection(text)).toThrow(InvalidArgumentError);
    expect(() => parseBackendSelection(text)).toThrow(message);
  });
});

describe('expandBackendName', () => {
  it('runs a plain backend once per --kernel microkernel or per --gpujs-mode when several', () => {
    expect(expandBackendName('workers', ['js', 'wasm-simd'], ['auto'])).toEqual(['workers[js]', 'workers[wasm-simd]']);
    expect(expandBackendName('gpujs', ['js'], ['webasm', 'cpu'])).toEqual(['gpujs[webasm]', 'gpujs[cpu]']);
  });

  it('keeps a plain name with the defaults, and bracketed names and peers as given', () => {
    expect(expandBackendName('cpu-tiled', undefined, ['webasm', 'cpu'])).toEqual(['cpu-tiled']);
    expect(expandBackendName('gpujs', undefined, ['webasm'])).toEqual(['gpujs']);
    expect(expandBackendName('cpu-tiled[js]', ['wasm-simd'], ['auto'])).toEqual(['cpu-tiled[js]']);
    expect(expandBackendName('naive', ['js'], ['auto'])).toEqual(['naive']);
  });
});
