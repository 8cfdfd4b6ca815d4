/**
 * Staging of pooled WASM SIMD runs (`src/run-sync.ts`): the input copied
 * in by chunks (by the pool threads when it is shared, by the calling thread
 * otherwise) with plain and shared outputs. Shapes are large enough for
 * several chunks per image; every result is compared bit for bit with cpu-tiled.
 */
import { createTensor, normalizeConv1x1, zerosTensor, type Tensor } from '@pointwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planWorkGrid, type WorkersBackend } from '../dist/index.js';
import { planSyncLayout } from '../dist/run-sync.js';
import { caseInput, caseProblem, type WorkersCase } from './cases.js';
import { firstBitDifference, prepareCase, registryWith, sharedCopy, startWorkers } from './helpers.js';

const ONE_CHUNK: WorkersCase = { name: 'NCHW 8×96² (2 chunks)', shape: [1, 8, 96, 96], co: 16, inputLayout: 'NCHW', bias: true, activation: 'relu' };
const NHWC: WorkersCase = { name: 'NHWC → NCHW, N = 2 (one chunk per image)', shape: [2, 12, 30, 30], co: 20, inputLayout: 'NHWC', outputLayout: 'NCHW', bias: true };
const CHUNKS: WorkersCase = { name: 'NCHW 40×48² → NHWC (3 chunks)', shape: [1, 40, 48, 48], co: 12, inputLayout: 'NCHW', outputLayout: 'NHWC', bias: true };
const STRIDED: WorkersCase = { name: 'stride 2 pad 1, N = 2 (3 chunks per image)', shape: [2, 24, 60, 60], co: 10, inputLayout: 'NCHW', stride: 2, padding: 1, bias: true };
const CASES = [ONE_CHUNK, NHWC, CHUNKS, STRIDED];

function stagingOf(c: WorkersCase, threads: number) {
  const { geometry } = normalizeConv1x1(caseProblem(c));
  const g = geometry;
  const grid = planWorkGrid(
    { batch: g.batch, pixels: g.outHeight * g.outWidth, channels: g.outChannels, channelUnit: 4, nr: 8, minPixelPiece: 16 },
    threads,
  );
  return planSyncLayout(geometry, grid, true, 0);
}

describe('staging plan', () => {
  it('cuts each image into chunks of about 128 KiB, one state word each after the two tile counters', () => {
    expect(stagingOf(ONE_CHUNK, 2)).toMatchObject({ chunksPerImage: 2, chunks: 2, outputWord: 4 });
    expect(stagingOf(NHWC, 2)).toMatchObject({ chunksPerImage: 1, chunks: 2, outputWord: 4 });
    expect(stagingOf(CHUNKS, 3)).toMatchObject({ chunksPerImage: 3, chunks: 3, outputWord: 5 });
    expect(stagingOf(STRIDED, 2)).toMatchObject({ imageLength: 24 * 60 * 60, chunksPerImage: 3, chunks: 6, outputWord: 8 });
  });

  it('puts no chunk words in the layout of a kernel without memory, then one control word and one tile-count word per pool slot last', () => {
    const { geometry } = normalizeConv1x1(caseProblem(STRIDED));
    const grid = planWorkGrid({ batch: 2, pixels: 31 * 31, channels: 10, channelUnit: 3, nr: 4, minPixelPiece: 8 }, 2);
    expect(planSyncLayout(geometry, grid, false, 3)).toMatchObject({ chunks: 0, outputChunks: 0, inputWord: 2, outputWord: 2, control: 2, threadTiles: 5, words: 8 });
    expect(planSyncLayout(geometry, grid, true, 3)).toMatchObject({ chunks: 6, outputChunks: 1, outputWord: 8, control: 9, threadTiles: 12, words: 15 });
  });

  it('cuts the whole output into contiguous chunks of about 128 KiB, one state word each after the input chunks', () => {
    // 16 × 96² = 147456 floats: 4.5 chunks of 32768, rounded to 5.
    expect(stagingOf(ONE_CHUNK, 2)).toMatchObject({ outputLength: 147456, outputChunks: 5, words: 4 + 5 });
    expect(stagingOf(NHWC, 2)).toMatchObject({ outputLength: 2 * 20 * 30 * 30, outputChunks: 1, words: 5 });
    // Stride 2, padding 1: 31 × 31 output pixels.
    expect(stagingOf(STRIDED, 2)).toMatchObject({ outputLength: 2 * 10 * 31 * 31, outputChunks: 1, words: 9 });
  });
});

describe.each([2, 3])('staged WASM runs at %i threads', (threads) => {
  let workers: WorkersBackend;
  beforeAll(async () => {
    workers = await startWorkers({ threads, kernel: 'wasm-simd' });
  });
  afterAll(() => workers.dispose());

  for (const c of CASES) {
    it(`${c.name}: plain, shared and mixed tensors bit-identical to cpu-tiled, every output cell written`, async () => {
      const registry = registryWith(workers, { kernel: 'wasm-simd' });
      const [parallel, single] = await Promise.all([prepareCase(c, 'workers', registry), prepareCase(c, 'cpu-tiled', registry)]);
      const x = createTensor(caseInput(c), c.shape, c.inputLayout);
      const expected = await single.run(x);
      expect(firstBitDifference((await parallel.run(x)).data, expected.data)).toBe(-1);
      // A shared output starts as a sentinel, so a cell the run skips shows.
      const out = sharedCopy(expected);
      out.data.fill(-7);
      await parallel.run(sharedCopy(x), out);
      expect(firstBitDifference(out.data, expected.data)).toBe(-1);
      // Mixed: a shared input (the threads copy it in) with a plain output, and the reverse.
      const plainOut = zerosTensor(expected.shape, expected.layout);
      await parallel.run(sharedCopy(x), plainOut);
      expect(firstBitDifference(plainOut.data, expected.data)).toBe(-1);
      out.data.fill(-7);
      await parallel.run(x, out);
      expect(firstBitDifference(out.data, expected.data)).toBe(-1);
      parallel.dispose();
      single.dispose();
    });
  }

  it('concurrent runs of one operator (which take turns over its memory) give independent results', async () => {
    const registry = registryWith(workers, { kernel: 'wasm-simd' });
    const [parallel, single] = await Promise.all([prepareCase(ONE_CHUNK, 'workers', registry), prepareCase(ONE_CHUNK, 'cpu-tiled', registry)]);
    const inputs: Tensor[] = [1, 2, 3, 4, 5, 6].map((seed) => createTensor(caseInput(ONE_CHUNK, seed), ONE_CHUNK.shape, 'NCHW'));
    const shared = inputs.map((x, i) => (i % 2 === 0 ? sharedCopy(x) : x));
    const results = await Promise.all(shared.map((x) => parallel.run(x, outFor(x))));
    for (let i = 0; i < inputs.length; i++) {
      const expected = await single.run(inputs[i]);
      expect(firstBitDifference(results[i].data, expected.data)).toBe(-1);
    }
    parallel.dispose();
    single.dispose();

    /** A shared output for shared inputs, a plain one otherwise. */
    function outFor(x: Tensor): Tensor {
      const shape = [1, ONE_CHUNK.co, 96, 96] as const;
      return zerosTensor(shape, 'NCHW', x.data.buffer instanceof SharedArrayBuffer);
    }
  });
});

describe('staged WASM runs with the calling thread not computing', () => {
  it('copies a plain input in and a plain output out while 2 pool threads compute', async () => {
    const workers = await startWorkers({ threads: 2, kernel: 'wasm-simd', callerComputes: false });
    const registry = registryWith(workers, { kernel: 'wasm-simd' });
    for (const c of CASES) {
      const [parallel, single] = await Promise.all([prepareCase(c, 'workers', registry), prepareCase(c, 'cpu-tiled', registry)]);
      const x = createTensor(caseInput(c, 9), c.shape, c.inputLayout);
      expect(firstBitDifference((await parallel.run(x)).data, (await single.run(x)).data)).toBe(-1);
      parallel.dispose();
    }
    await workers.dispose();
  });
});
