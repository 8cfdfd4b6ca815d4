import { InvalidArgumentError } from './errors.js';
import { assertKnownKeys } from './known-keys.js';
import type { Activation } from './options.js';

/**
 * An activation reduced to a clamp `[min, max]` that every backend applies as
 * `v < min ? min : v > max ? max : v` (which keeps NaN as NaN).
 * `none` is `[-∞, +∞]`, `relu` is `[0, +∞]`, `relu6` is `[0, 6]`.
 */
export interface ClampActivation {
  readonly kind: 'none' | 'relu' | 'relu6' | 'clamp';
  readonly min: number;
  readonly max: number;
}

const CLAMP_KEYS: readonly string[] = ['type', 'min', 'max'];

/**
 * Normalises an activation option to its clamp bounds.
 * @throws {InvalidArgumentError} for an unknown name, a clamp with an unknown
 *   key, or a clamp whose bounds are not numbers, NaN, or have `min > max`.
 * @returns a frozen record.
 */
export function normalizeActivation(activation: Activation | undefined): ClampActivation {
  if (activation === undefined || activation === 'none') return Object.freeze({ kind: 'none', min: -Infinity, max: Infinity });
  if (activation === 'relu') return Object.freeze({ kind: 'relu', min: 0, max: Infinity });
  if (activation === 'relu6') return Object.freeze({ kind: 'relu6', min: 0, max: 6 });
  if (typeof activation === 'object' && activation !== null && activation.type === 'clamp') {
    assertKnownKeys('activation', activation, CLAMP_KEYS);
    // Read each bound once: a getter must not answer validation and the kernel differently.
    const { min, max } = activation;
    if (typeof min !== 'number' || Number.isNaN(min)) {
      throw new InvalidArgumentError('activation.min', 'a number (−Infinity allowed)', min);
    }
    if (typeof max !== 'number' || Number.isNaN(max) || max < min) {
      throw new InvalidArgumentError('activation.max', `a number ≥ activation.min (${min})`, max);
    }
    return Object.freeze({ kind: 'clamp', min, max });
  }
  throw new InvalidArgumentError('activation', `"none", "relu", "relu6" or { type: "clamp", min, max }`, activation);
}

/** Applies a clamp activation to one value; NaN passes through. */
export function applyActivation(v: number, act: ClampActivation): number {
  return v < act.min ? act.min : v > act.max ? act.max : v;
}
