import type { Conv1x1Plan } from '../plan.js';
import { gemmModule, type WasmConvInstance, type WasmGemmExports } from './wasm-kernel.js';
import type { WasmConvLayout } from './wasm-layout.js';

const PAGE_BYTES = 65536;
/** A workspace larger than twice the largest live need plus this is replaced by a smaller one when an operator is released. */
const SHRINK_SLACK_BYTES = 16 * 1024 * 1024;

/**
 * The one WebAssembly memory that every `wasm-simd` operator of cpu-tiled in
 * this realm runs in. cpu-tiled runs synchronously on one thread, so runs
 * never overlap and one memory serves them all: an operator holds only its
 * packed weights (in an ordinary `Float32Array`) and copies them in when the
 * previous run was another operator's. This bounds what a live operator
 * holds to its packed weights, and the WebAssembly address space (V8
 * reserves about 10 GiB of it per memory, whatever its size) to one memory
 * per realm instead of one per operator (about 13,000 live operators used to
 * exhaust the 47-bit address space).
 */
interface Workspace {
  readonly memory: WebAssembly.Memory;
  readonly exports: WasmGemmExports;
  /** The relaxed-SIMD FMA module's exports over the same memory (instantiated at its first use). */
  fmaExports: WasmGemmExports | null;
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly bytes: number;
  /** Id of the operator whose packed weights and clamp bounds are in the memory now (0: none). */
  owner: number;
  /** The instance record of that operator (so a run that finds its weights in place allocates nothing). */
  bound: WasmConvInstance | null;
}

let current: Workspace | null = null;
/** Bytes each live (prepared, not yet released) wasm-simd operator needs, by operator id. */
const live = new Map<number, number>();
let nextId = 1;

function allocate(bytes: number): Workspace {
  const pages = Math.ceil(bytes / PAGE_BYTES);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const instance = new WebAssembly.Instance(gemmModule(false), { env: { memory } });
  const buffer = memory.buffer;
  return {
    memory,
    exports: instance.exports as unknown as WasmGemmExports,
    fmaExports: null,
    f32: new Float32Array(buffer),
    i32: new Int32Array(buffer),
    u32: new Uint32Array(buffer),
    bytes: pages * PAGE_BYTES,
    owner: 0,
    bound: null,
  };
}

/**
 * Registers a live operator that needs `bytes` of workspace and makes sure
 * the workspace holds them (allocating a larger one here, at prepare time, so
 * a run never allocates). Returns the operator's id.
 * @throws {RangeError} when the memory cannot be allocated (the caller runs its JS kernel instead).
 */
export function reserveWorkspace(bytes: number): number {
  if (current === null || current.bytes < bytes) current = allocate(bytes);
  const id = nextId++;
  live.set(id, bytes);
  return id;
}

/**
 * Forgets a released operator (disposed, or garbage-collected without
 * `dispose()`); frees the workspace when no operator is live and replaces it
 * by a smaller one when it is much larger than the largest live need.
 * Idempotent.
 */
export function releaseWorkspace(id: number): void {
  const bytes = live.get(id);
  if (bytes === undefined) return;
  live.delete(id);
  if (current === null) return;
  if (current.owner === id) {
    current.owner = 0;
    current.bound = null;
  }
  if (live.size === 0) {
    current = null;
    return;
  }
  if (bytes * 2 < current.bytes) return; // not possibly the one that sized it
  let largest = 0;
  for (const need of live.values()) largest = Math.max(largest, need);
  if (current.bytes > 2 * largest + SHRINK_SLACK_BYTES) {
    try {
      current = allocate(largest);
    } catch {
      // keep the larger one: it still holds every live operator
    }
  }
}

/**
 * The workspace as a {@link WasmConvInstance} for one run of operator `id`
 * (registered with {@link reserveWorkspace}; `fma`: its kernel is the relaxed-SIMD one), with that operator's packed
 * weights and clamp bounds in place (copied only when another operator ran
 * last). The whole input and output regions are rewritten by every run, so
 * nothing of a previous run (this or another operator's) is ever read.
 */
export function bindWorkspace(id: number, plan: Conv1x1Plan, layout: WasmConvLayout, packed: Float32Array, fma = false): WasmConvInstance {
  const ws = current;
  // The common case: this operator ran last (its id is live: a release resets the owner).
  if (ws !== null && ws.owner === id && ws.bound !== null && ws.bound.layout === layout) return ws.bound;
  if (ws === null || ws.bytes < layout.bytes || !live.has(id)) {
    throw new Error('cpu-tiled: internal error: the operator has no workspace'); // unreachable: reserved at prepare
  }
  if (ws.owner !== id || ws.bound === null) {
    ws.f32.set(packed, layout.weights / 4);
    ws.f32[layout.clamp / 4] = plan.geometry.activation.min;
    ws.f32[layout.clamp / 4 + 1] = plan.geometry.activation.max;
    ws.owner = id;
    let exports = ws.exports;
    if (fma) {
      ws.fmaExports ??= new WebAssembly.Instance(gemmModule(false, true), { env: { memory: ws.memory } }).exports as unknown as WasmGemmExports;
      exports = ws.fmaExports;
    }
    ws.bound = { plan, layout, memory: ws.memory, exports, f32: ws.f32, i32: ws.i32, u32: ws.u32 };
  }
  return ws.bound;
}

/** What the workspace holds now (for tests and diagnostics): its size in bytes (0 when none) and the live operators. */
export function workspaceStats(): { readonly bytes: number; readonly liveOperators: number } {
  return { bytes: current?.bytes ?? 0, liveOperators: live.size };
}
