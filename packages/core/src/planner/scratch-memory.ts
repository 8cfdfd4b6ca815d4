import { allocateSharedBuffer } from '../tensor.js';

/** Spare buffers kept per kind: one decision's input and output. */
const SPARES_PER_KIND = 2;

/** Buffers of finished decisions, held weakly: the garbage collector may take them whenever it likes. */
const spares: { plain: WeakRef<ArrayBuffer>[]; shared: WeakRef<SharedArrayBuffer>[] } = { plain: [], shared: [] };

/**
 * Memory for one measurement tensor of at least `bytes`: the smallest spare
 * buffer of an earlier decision that is still alive and large enough, else a new
 * one (a shared one from `allocateSharedBuffer`, so core's aliasing checks
 * know it). Why: the first writes to fresh memory fault its pages in, about
 * 4 ms per MiB on the virtual machines this project is measured on
 * (`node` filling a new 20 MiB `Float32Array`: 71–97 ms, again: 0.8 ms), a
 * large share of deciding on a big layer when every decision allocates anew.
 * The caller has the buffer to itself until it hands it back with
 * {@link returnScratch}.
 */
export function borrowScratch(bytes: number, shared: boolean): ArrayBuffer | SharedArrayBuffer {
  const list: WeakRef<ArrayBuffer | SharedArrayBuffer>[] = shared ? spares.shared : spares.plain;
  // The smallest spare that is large enough (the larger stays for a larger layer).
  let fit = -1;
  for (let i = 0; i < list.length; i++) {
    const length = list[i].deref()?.byteLength ?? -1;
    if (length >= bytes && (fit < 0 || length < list[fit].deref()!.byteLength)) fit = i;
  }
  const buffer = fit < 0 ? undefined : list.splice(fit, 1)[0].deref();
  return buffer ?? (shared ? allocateSharedBuffer(bytes) : new ArrayBuffer(bytes));
}

/**
 * Keeps `buffer` (from {@link borrowScratch}) for a later decision, weakly;
 * only the largest {@link SPARES_PER_KIND} of each kind are kept. Hand back
 * only a buffer nothing can write to any more (not after a run that was
 * abandoned while a backend might still finish it).
 */
export function returnScratch(buffer: ArrayBuffer | SharedArrayBuffer, shared: boolean): void {
  const list: WeakRef<ArrayBuffer | SharedArrayBuffer>[] = shared ? spares.shared : spares.plain;
  list.push(new WeakRef(buffer));
  // Collected ones sort last and go first.
  list.sort((a, b) => (b.deref()?.byteLength ?? 0) - (a.deref()?.byteLength ?? 0));
  list.length = Math.min(list.length, SPARES_PER_KIND);
}
