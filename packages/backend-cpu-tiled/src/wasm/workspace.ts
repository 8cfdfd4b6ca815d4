import type { Conv1x1Plan } from '../plan.js';
import { gemmModule, type WasmConvInstance, type WasmGemmExports } from './wasm-kernel.js';
import type { WasmConvLayout } from './wasm-layout.js';

const PAGE_BYTES = 65536;
/** A workspace larger than twice the largest live need plus this is replaced by a smaller one when an operator is released. */
const SHRINK_SLACK_BYTES = 16 * 1024 * 1024;

/**
 * Bytes of packed weights the workspace's weight cache holds at most (more when one operator's
 * weights alone are larger): the weights of recently run operators stay in the memory, so
 * operators that take turns (the layers of a network, the contenders of a benchmark) do not copy
 * their weights in at every run. 32 MiB holds ResNet-50's largest pointwise layer (4 MiB) eight
 * times; operators whose weights together exceed it copy again after the cache was emptied.
 */
export const WEIGHT_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * The one WebAssembly memory that every `wasm-simd` operator of cpu-tiled in
 * this realm runs in. cpu-tiled runs synchronously on one thread, so runs
 * never overlap and one memory serves them all: an operator holds only its
 * packed weights (in an ordinary `Float32Array`). This bounds the WebAssembly
 * address space (V8 reserves about 10 GiB of it per memory, whatever its
 * size) to one memory per realm instead of one per operator (about 13,000
 * live operators used to exhaust the 47-bit address space).
 *
 * Bytes `[0, scratchBytes)` hold the running operator's regions (input,
 * output, panels: its layout, sized for the largest live operator); bytes
 * `[scratchBytes, bytes)` are the weight cache: each operator's clamp bounds
 * and packed weights, copied into a slot at its first run and found there by
 * the runs after it. When the next slot does not fit, the cache is emptied
 * and filled again from its start.
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
  /** Where the weight cache starts. */
  readonly scratchBytes: number;
  /** The next free byte of the weight cache. */
  cacheNext: number;
  /** The instance record of each operator whose weights are in the cache, by operator id. */
  readonly slots: Map<number, WasmConvInstance>;
  /** Id of the operator that ran last (0: none), and its record (so a run that finds it in place allocates nothing). */
  owner: number;
  bound: WasmConvInstance | null;
}

/** What one live operator needs: its layout's bytes and its weight-cache slot's bytes. */
interface Need {
  readonly bytes: number;
  readonly slotBytes: number;
}

let current: Workspace | null = null;
/** What each live (prepared, not yet released) wasm-simd operator needs, by operator id. */
const live = new Map<number, Need>();
let nextId = 1;
/** Bytes of packed weights copied into the workspace so far (a diagnostics and test hook). */
let weightBytesCopied = 0;

function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** A slot: 16 bytes of clamp bounds, then the packed weights. */
function slotBytes(packedBytes: number): number {
  return 16 + align16(packedBytes);
}

/** The scratch and weight-cache bytes the live operators need: the largest layout; the cache budget, or the largest slot when that is larger. */
function liveNeeds(): { readonly scratch: number; readonly cache: number } {
  let scratch = 0;
  let largestSlot = 0;
  let slots = 0;
  for (const need of live.values()) {
    scratch = Math.max(scratch, need.bytes);
    largestSlot = Math.max(largestSlot, need.slotBytes);
    slots += need.slotBytes;
  }
  return { scratch: align16(scratch), cache: Math.max(largestSlot, Math.min(slots, WEIGHT_CACHE_BYTES)) };
}

function allocate(scratchBytes: number, cacheBytes: number): Workspace {
  const pages = Math.ceil((scratchBytes + cacheBytes) / PAGE_BYTES);
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
    scratchBytes,
    cacheNext: scratchBytes,
    slots: new Map(),
    owner: 0,
    bound: null,
  };
}

/**
 * Registers a live operator whose layout needs `bytes` and whose packed
 * weights take `packedBytes`, and makes sure the workspace holds them
 * (allocating a larger one here, at prepare time, so a run never allocates:
 * the weight cache at least doubles when it grows, so preparing many
 * operators reallocates it only a few times). Returns the operator's id.
 * @throws {RangeError} when the memory cannot be allocated (the caller runs its JS kernel instead).
 */
export function reserveWorkspace(bytes: number, packedBytes: number): number {
  const id = nextId++;
  live.set(id, { bytes, slotBytes: slotBytes(packedBytes) });
  const need = liveNeeds();
  if (current === null || current.scratchBytes < need.scratch || current.bytes - current.scratchBytes < need.cache) {
    const cache = current === null ? need.cache : Math.max(need.cache, Math.min(2 * (current.bytes - current.scratchBytes), WEIGHT_CACHE_BYTES));
    try {
      current = allocate(Math.max(need.scratch, current?.scratchBytes ?? 0), cache);
    } catch (error) {
      live.delete(id);
      throw error;
    }
  }
  return id;
}

/**
 * Forgets a released operator (disposed, or garbage-collected without
 * `dispose()`); frees the workspace when no operator is live and replaces it
 * by a smaller one when it is much larger than the live operators need.
 * Idempotent.
 */
export function releaseWorkspace(id: number): void {
  const released = live.get(id);
  if (released === undefined) return;
  live.delete(id);
  if (current === null) return;
  current.slots.delete(id);
  if (current.owner === id) {
    current.owner = 0;
    current.bound = null;
  }
  if (live.size === 0) {
    current = null;
    return;
  }
  // Not possibly the one that sized the scratch or the cache: nothing to shrink (and no pass over thousands of live operators).
  if (released.bytes * 2 < current.scratchBytes && released.slotBytes * 2 < current.bytes - current.scratchBytes) return;
  const need = liveNeeds();
  if (current.bytes > 2 * (need.scratch + need.cache) + SHRINK_SLACK_BYTES) {
    try {
      current = allocate(need.scratch, need.cache);
    } catch {
      // keep the larger one: it still holds every live operator
    }
  }
}

/**
 * The workspace as a {@link WasmConvInstance} for one run of operator `id`
 * (registered with {@link reserveWorkspace}; `fma`: its kernel is the
 * relaxed-SIMD one), with that operator's packed weights and clamp bounds in
 * its slot of the weight cache (copied only when they are not there: its
 * first run, or after the cache was emptied or the workspace replaced). The
 * whole input and output regions are rewritten by every run, so nothing of a
 * previous run (this or another operator's) is ever read.
 */
export function bindWorkspace(id: number, plan: Conv1x1Plan, layout: WasmConvLayout, packed: Float32Array, fma = false): WasmConvInstance {
  const ws = current;
  // The common case: this operator ran last (its id is live: a release resets the owner).
  if (ws !== null && ws.owner === id && ws.bound !== null && ws.bound.layout === layout) return ws.bound;
  const need = live.get(id);
  if (ws === null || need === undefined || ws.scratchBytes < layout.bytes || ws.bytes - ws.scratchBytes < need.slotBytes) {
    throw new Error('cpu-tiled: internal error: the operator has no workspace'); // unreachable: reserved at prepare
  }
  let slot = ws.slots.get(id);
  if (slot === undefined || slot.layout !== layout) {
    if (ws.cacheNext + need.slotBytes > ws.bytes) {
      ws.slots.clear();
      ws.cacheNext = ws.scratchBytes;
    }
    const clamp = ws.cacheNext;
    ws.cacheNext += need.slotBytes;
    ws.f32[clamp / 4] = plan.geometry.activation.min;
    ws.f32[clamp / 4 + 1] = plan.geometry.activation.max;
    ws.f32.set(packed, clamp / 4 + 4);
    weightBytesCopied += packed.length * 4;
    let exports = ws.exports;
    if (fma) {
      ws.fmaExports ??= new WebAssembly.Instance(gemmModule(false, true), { env: { memory: ws.memory } }).exports as unknown as WasmGemmExports;
      exports = ws.fmaExports;
    }
    slot = { plan, layout, memory: ws.memory, exports, f32: ws.f32, i32: ws.i32, u32: ws.u32, weights: clamp + 16, clamp };
    ws.slots.set(id, slot);
  }
  ws.owner = id;
  ws.bound = slot;
  return slot;
}

/**
 * What the workspace holds now (for tests and diagnostics): its size in bytes (0 when none), the
 * live operators, the operators whose weights are in its cache, and the bytes of packed weights
 * copied into it so far (ever, across workspaces).
 */
export function workspaceStats(): { readonly bytes: number; readonly liveOperators: number; readonly cachedOperators: number; readonly weightBytesCopied: number } {
  return { bytes: current?.bytes ?? 0, liveOperators: live.size, cachedOperators: current?.slots.size ?? 0, weightBytesCopied };
}
