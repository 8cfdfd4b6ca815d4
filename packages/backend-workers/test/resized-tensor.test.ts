/**
 * A caller's tensor resized or detached between `run()` and the moment the
 * run touches it (a pooled run waits its turn; a plain output is written
 * after the run's awaits): every run path fails with a typed error naming
 * the tensor, never resolves with a stale or partial result, and leaves the
 * other buffers as they were.
 */
import { BackendFailureError, normalizeConv1x1, type BackendOperator, type Tensor } from '@pointwise/core';
import { describe, expect, it } from 'vitest';
import type { WorkersBackendOptions } from '../dist/index.js';
import { startWorkers } from './helpers.js';

const CI = 64;
const CO = 32;
const HW = 16;
const INPUT_LENGTH = CI * HW * HW;
const OUTPUT_LENGTH = CO * HW * HW;
const SENTINEL = -7;

// All-ones weights, no bias: every output element of a constant input c is c · CI (exact in float32).
const { geometry } = normalizeConv1x1({ inputShape: [1, CI, HW, HW], weights: { data: new Float32Array(CO * CI).fill(1), shape: [CO, CI] } });
const problem = { geometry, weights: new Float32Array(CO * CI).fill(1), bias: null };

function tensor(shape: readonly number[], data: Float32Array): Tensor {
  return { shape: shape as Tensor['shape'], layout: 'NCHW', data };
}

/** A resizable `ArrayBuffer` (ES2024; the package's TypeScript lib predates its typings). */
type ResizableBuffer = ArrayBuffer & { resize(byteLength: number): void };
const ResizableArrayBuffer = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableBuffer;

/** A constant array on a resizable `ArrayBuffer` (a fixed-length view: it reads as length 0 once shrunk). */
function resizable(length: number, value: number): { data: Float32Array; buffer: ResizableBuffer } {
  const buffer = new ResizableArrayBuffer(length * 4, { maxByteLength: length * 4 });
  return { data: new Float32Array(buffer).fill(value), buffer };
}

function spoil(buffer: ResizableBuffer, how: 'resize' | 'detach'): void {
  if (how === 'resize') buffer.resize(0);
  else structuredClone(buffer, { transfer: [buffer] });
}

const MESSAGE = (which: string) => new RegExp(`the ${which} tensor's data was resized or detached since run\\(\\) was called`);

type Path = { label: string; options: WorkersBackendOptions; dispatch: 'pool' | 'calling-thread'; zeroCopyOutput?: boolean };

const PATHS: Path[] = [
  { label: 'js, pooled (shared arrays), caller computes', options: { kernel: 'js', threads: 2 }, dispatch: 'pool' },
  { label: 'js, pooled (shared arrays), caller idle', options: { kernel: 'js', threads: 2, callerComputes: false }, dispatch: 'pool' },
  { label: 'js, calling thread', options: { kernel: 'js', threads: 2, minParallelFlops: 1e12 }, dispatch: 'calling-thread' },
  { label: 'wasm-simd, pooled (kernel memory staged), caller computes', options: { kernel: 'wasm-simd', threads: 2 }, dispatch: 'pool' },
  { label: 'wasm-simd, pooled (kernel memory staged), caller idle', options: { kernel: 'wasm-simd', threads: 2, callerComputes: false }, dispatch: 'pool' },
  { label: 'wasm-simd, pooled, zero-copy output', options: { kernel: 'wasm-simd', threads: 2 }, dispatch: 'pool', zeroCopyOutput: true },
  { label: 'wasm-simd, calling thread (kernel memory)', options: { kernel: 'wasm-simd', threads: 2, minParallelFlops: 1e12 }, dispatch: 'calling-thread' },
  { label: 'wasm-simd, calling thread, zero-copy output', options: { kernel: 'wasm-simd', threads: 2, minParallelFlops: 1e12 }, dispatch: 'calling-thread', zeroCopyOutput: true },
];

/**
 * Runs `op` with tensors whose `spoiled` buffer is resized or detached at the
 * latest moment the caller can: right after `run()` for a pooled run (it
 * waits its turn), before it for a calling-thread run (synchronous).
 */
/**
 * The run failed naming the output, the input `x` (all 2) is untouched, and the operator's next run on a
 * fresh output computes 2·Ci everywhere; disposes the operator.
 */
async function expectOutputFailureThenACorrectRun(op: BackendOperator, failure: unknown, x: Float32Array): Promise<void> {
  expect(failure).toBeInstanceOf(BackendFailureError);
  expect((failure as Error).message).toMatch(MESSAGE('output'));
  expect(x.every((v) => v === 2)).toBe(true);
  const fresh = new Float32Array(OUTPUT_LENGTH);
  await op.run(tensor(geometry.inputShape, x), tensor(geometry.outputShape, fresh));
  expect(fresh.every((v) => v === 2 * CI)).toBe(true);
  op.dispose();
}

async function runSpoiled(op: BackendOperator, dispatch: Path['dispatch'], x: Float32Array, out: Float32Array, spoiled: ResizableBuffer, how: 'resize' | 'detach'): Promise<unknown> {
  if (dispatch === 'calling-thread') spoil(spoiled, how);
  const pending = op.run(tensor(geometry.inputShape, x), tensor(geometry.outputShape, out));
  if (dispatch === 'pool') spoil(spoiled, how);
  return pending.then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

describe.each(PATHS)('a tensor resized or detached after run(): $label', ({ options, dispatch, zeroCopyOutput }) => {
  it.each(['resize', 'detach'] as const)('input (%s): BackendFailureError naming the input, the output untouched, the next run correct', async (how) => {
    const workers = await startWorkers(options);
    try {
      const op = await workers.prepare(problem);
      expect(op.info.details.dispatch).toBe(dispatch);
      const out = zeroCopyOutput ? op.createOutput!().data : new Float32Array(OUTPUT_LENGTH);
      // Run 1 leaves 1 · CI in the staging buffers and the kernel's memory: a run that read nothing would resolve with it.
      await op.run(tensor(geometry.inputShape, new Float32Array(INPUT_LENGTH).fill(1)), tensor(geometry.outputShape, out));
      expect(out.every((v) => v === CI)).toBe(true);
      out.fill(SENTINEL);

      const x = resizable(INPUT_LENGTH, 2);
      const failure = await runSpoiled(op, dispatch, x.data, out, x.buffer, how);
      expect(failure).toBeInstanceOf(BackendFailureError);
      expect((failure as Error).message).toMatch(MESSAGE('input'));
      expect(out.every((v) => v === SENTINEL)).toBe(true);

      await op.run(tensor(geometry.inputShape, new Float32Array(INPUT_LENGTH).fill(3)), tensor(geometry.outputShape, out));
      expect(out.every((v) => v === 3 * CI)).toBe(true);
      op.dispose();
    } finally {
      await workers.dispose();
    }
  });

  // A zero-copy output is the kernel's own memory, which a caller cannot resize or detach.
  if (!zeroCopyOutput) it.each(['resize', 'detach'] as const)('output (%s): BackendFailureError naming the output, the input untouched, the next run correct', async (how) => {
    const workers = await startWorkers(options);
    try {
      const op = await workers.prepare(problem);
      const x = new Float32Array(INPUT_LENGTH).fill(2);
      const out = resizable(OUTPUT_LENGTH, SENTINEL);
      const failure = await runSpoiled(op, dispatch, x, out.data, out.buffer, how);
      await expectOutputFailureThenACorrectRun(op, failure, x);
    } finally {
      await workers.dispose();
    }
  });
});

describe.each([
  { label: 'js, pooled (shared arrays)', kernel: 'js' },
  { label: 'wasm-simd, pooled (kernel memory staged)', kernel: 'wasm-simd' },
] as const)('a plain output resized or detached while the run computes: $label, caller idle', ({ kernel }) => {
  it.each(['resize', 'detach'] as const)('%s: BackendFailureError naming the output, nothing written to it, the next run correct', async (how) => {
    const workers = await startWorkers({ kernel, threads: 2, callerComputes: false });
    try {
      const op = await workers.prepare(problem);
      const x = new Float32Array(INPUT_LENGTH).fill(2);
      const out = resizable(OUTPUT_LENGTH, SENTINEL);
      const posted = workers.stats().pooledRuns + 1;
      const pending = op.run(tensor(geometry.inputShape, x), tensor(geometry.outputShape, out.data)).then(
        () => 'resolved',
        (error: unknown) => error,
      );
      // The run is posted within microtasks; its threads' replies arrive on a later turn of the event loop,
      // so the output is spoiled after the run started and before it is copied out.
      while (workers.stats().pooledRuns < posted) await null;
      spoil(out.buffer, how);
      const failure = await pending;
      await expectOutputFailureThenACorrectRun(op, failure, x);
    } finally {
      await workers.dispose();
    }
  });
});
