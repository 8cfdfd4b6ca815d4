import { InvalidArgumentError, parseBackendList } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import { expandBackendEntry, parseBackendSelection } from './backend-selection.js';

describe('parseBackendSelection', () => {
  it("parses with core's parser, so an entry reads the same as in POINTWISE_BACKEND and the conformance CLI", () => {
    const text = 'cpu-tiled[js], workers[threads=2,kernel=wasm-simd],gpujs[webasm],naive,workers[js,pool],ort-mt';
    expect(parseBackendSelection(text).entries).toEqual(parseBackendList(text));
    expect(parseBackendSelection(text).entries).toEqual([
      { name: 'cpu-tiled', options: {}, words: ['js'] },
      { name: 'workers', options: { threads: 2, kernel: 'wasm-simd' } },
      { name: 'gpujs', options: {}, words: ['webasm'] },
      { name: 'naive', options: {} },
      { name: 'workers', options: {}, words: ['js', 'pool'] },
      { name: 'ort-mt', options: {} },
    ]);
  });

  it.each([
    ['cpu-tiled[js', /^--backends: expected balanced, unnested brackets, received "cpu-tiled\[js"$/],
    ['  ', /^--backends: expected at least one backend/],
    [' , ', /^--backends: expected a backend name at entry 1 of 2, found an empty entry \(a leading comma at character 2\), received " , "$/],
    ['cpu-tiled,,ort-mt', /^--backends: expected a backend name at entry 2 of 3, found an empty entry \(commas at characters 10 and 11 with nothing between\)/],
    ['workers[threads=2,threads=3]', /^--backends: expected key=value options with distinct keys in workers\[…\]/],
    ['naive[js]', /^--backends: expected the peer naive without options \(peers are not registry backends\), received "naive\[js\]"$/],
    ['cpu-tiled,ort-mt[threads=2]', /^--backends: expected the peer ort-mt without options/],
  ])('rejects %s with an InvalidArgumentError', (text, message) => {
    expect(() => parseBackendSelection(text)).toThrow(InvalidArgumentError);
    expect(() => parseBackendSelection(text)).toThrow(message);
  });
});

describe('expandBackendEntry', () => {
  const plain = (name: string) => ({ name, options: {} });

  it('runs a plain backend once per --kernel microkernel or per --gpujs-mode when several, as core-syntax entries', () => {
    expect(expandBackendEntry(plain('workers'), ['js', 'wasm-simd'], ['auto'])).toEqual([
      { entry: { name: 'workers', options: { kernel: 'js' } } },
      { entry: { name: 'workers', options: { kernel: 'wasm-simd' } } },
    ]);
    expect(expandBackendEntry(plain('gpujs'), ['js'], ['webasm', 'cpu'])).toEqual([
      { entry: { name: 'gpujs', options: { mode: 'webasm' } } },
      { entry: { name: 'gpujs', options: { mode: 'cpu' } } },
    ]);
  });

  it('keeps a plain name with the defaults, and configured entries and peers as given', () => {
    expect(expandBackendEntry(plain('cpu-tiled'), undefined, ['webasm', 'cpu'])).toEqual([{ entry: plain('cpu-tiled') }]);
    expect(expandBackendEntry(plain('gpujs'), undefined, ['webasm'])).toEqual([{ entry: plain('gpujs') }]);
    const configured = { name: 'cpu-tiled', options: { mc: 64 } };
    expect(expandBackendEntry(configured, ['wasm-simd'], ['auto'])).toEqual([{ entry: configured }]);
    const pooled = { name: 'workers', options: {}, words: ['pool'] };
    expect(expandBackendEntry(pooled, ['js'], ['auto'])).toEqual([{ entry: pooled }]);
    expect(expandBackendEntry(plain('naive'), ['js'], ['auto'])).toEqual([{ entry: plain('naive') }]);
  });
});
