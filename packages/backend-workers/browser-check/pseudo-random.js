/**
 * Deterministic values in [-1, 1) (a 32-bit LCG, Numerical Recipes' constants), so a failure
 * reproduces: the input data of the browser check and the browser bench (both import it; this
 * folder's pages use only the packages' published APIs).
 */
export function pseudoRandom(length, seed) {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
