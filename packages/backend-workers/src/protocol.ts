/**
 * Messages between the calling thread and the pool's threads. All of them are
 * structured-clone-able; the `Float32Array`s / `Int32Array`s in them are views
 * on `SharedArrayBuffer`s, so posting shares the memory instead of copying it.
 */
import type { KernelSetup } from '@pointwise/backend-cpu-tiled/kernel';
import type { SyncLayout } from './run-sync.js';
import type { WorkGrid } from './work-split.js';

/** Tells a new thread its index in the pool (its scratch region in a shared WebAssembly memory). First message. */
export interface IdentityMessage {
  readonly type: 'identity';
  readonly thread: number;
  /**
   * `[messages posted to this thread]`, incremented by the creating thread
   * after each post (this one included) and notified: a thread waiting after a run
   * (see `worker-runtime.ts`) stops as soon as it exceeds the messages it handled.
   */
  readonly bell: Int32Array;
  /** How long a thread waits after answering a run for the next message (µs, spinning `busySpinMicros` of them, then blocked; 0: never). */
  readonly spinMicros: number;
  /** Of `spinMicros`, how long the thread busy-spins before it blocks (µs). */
  readonly busySpinMicros: number;
}

/**
 * Makes a prepared operator known to a thread: its kernel setup (plan and
 * packed weights in shared memory, see the `kernel` subpath of cpu-tiled). Sent once per operator and thread, and
 * again to a thread that replaces a failed one.
 */
export interface LoadMessage {
  readonly type: 'load';
  /** Operator key, unique within the pool. */
  readonly key: number;
  readonly setup: KernelSetup;
}

/** Forgets an operator (its plan, packed weights and scratch) on a thread. */
export interface UnloadMessage {
  readonly type: 'unload';
  readonly key: number;
}

/**
 * One run: the thread takes tiles of `grid` from the run's shared `sync`
 * words (see `run-sync.ts`) until none is left, and runs the kernel on each.
 */
export interface RunMessage {
  readonly type: 'run';
  /** Job id, unique within the pool; echoed in the reply. */
  readonly job: number;
  readonly key: number;
  /**
   * Input data in the operator's input layout, on shared memory; for
   * a kernel that owns its memory the caller's input when it is shared (the threads copy it
   * into the kernel's memory in chunks), else `null` (the calling thread copies it).
   */
  readonly x: Float32Array | null;
  /**
   * Output data in the operator's output layout, on shared memory; for
   * a kernel that owns its memory the caller's output when it is shared (the threads share its
   * copy out of the operator's memory once every tile is done), else `null`
   * (the calling thread copies it).
   */
  readonly out: Float32Array | null;
  readonly grid: WorkGrid;
  /** Where the tile, chunk and control words sit in `sync` (see `run-sync.ts`). */
  readonly layout: SyncLayout;
  /** The run's shared words, laid out as `layout` says. */
  readonly sync: Int32Array;
  /** The run's token in its control words (a stale message for a reused `sync` array never matches). */
  readonly token: number;
}

/** What the calling thread sends. */
export type HostMessage = IdentityMessage | LoadMessage | UnloadMessage | RunMessage;

/**
 * A thread finished its part of a job (it found no tile left). Posted only
 * when the job's control word asked for a reply (see `run-sync.ts`).
 */
export interface DoneMessage {
  readonly type: 'done';
  readonly job: number;
  /** Tiles this thread computed (for the balance statistics). */
  readonly tiles: number;
}

/** The kernel threw on a thread; the thread itself is still usable. */
export interface FailedMessage {
  readonly type: 'failed';
  readonly job: number;
  readonly message: string;
}

/** The thread has loaded its modules and listens. */
export interface ReadyMessage {
  readonly type: 'ready';
}

/** What a pool thread sends. */
export type ThreadMessage = ReadyMessage | DoneMessage | FailedMessage;
