/** A byte-for-byte copy of a typed array's contents (NaN payloads and −0 included). */
export function snapshot(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
}

/** True when `view` still holds exactly the bytes of `before`. */
export function unchanged(view: ArrayBufferView, before: Uint8Array): boolean {
  const now = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  if (now.length !== before.length) return false;
  for (let i = 0; i < now.length; i++) if (now[i] !== before[i]) return false;
  return true;
}
