/**
 * A small seeded pseudo-random generator: SplitMix32 (a 32-bit variant of
 * Steele, Lea and Flood's SplitMix, *Fast Splittable Pseudorandom Number
 * Generators*, OOPSLA 2014). The same seed gives the same sequence on every
 * platform. The conformance catalogue's data sources and the benchmark's
 * synthetic layers draw from it; tests that only need a block of values in
 * `[−1, 1)` use {@link seededValues} instead.
 */
export class SplitMix32 {
  #state: number;

  /** @param seed any number; only its low 32 bits are used. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Next value, uniform in `[0, 2³²)`. */
  nextUint32(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform in `[0, 1)`. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform float in `[min, max)`. */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in `[min, max]` (both integers). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** `length` float32 values uniform in `[min, max)`, drawn in order. */
  fill(length: number, min: number, max: number): Float32Array {
    const data = new Float32Array(length);
    for (let i = 0; i < length; i++) data[i] = this.uniform(min, max);
    return data;
  }
}
