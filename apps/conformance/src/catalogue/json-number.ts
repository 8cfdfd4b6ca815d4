import { InvalidArgumentError } from '@pointwise/core';
import type { JsonNumber } from './case.js';

/**
 * Reads a {@link JsonNumber}: a number, or one of `"NaN"`, `"Infinity"`,
 * `"-Infinity"`, `"-0"`.
 * @throws {InvalidArgumentError} naming `where` for anything else.
 */
export function fromJsonNumber(value: unknown, where: string): number {
  if (typeof value === 'number') return value;
  switch (value) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
    default:
      throw new InvalidArgumentError(where, 'a number or one of "NaN", "Infinity", "-Infinity", "-0"', value);
  }
}

/** Writes a number as a {@link JsonNumber}, so that `JSON.stringify` keeps NaN, ±Inf and −0. */
export function toJsonNumber(value: number): JsonNumber {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Object.is(value, -0)) return '-0';
  return value;
}
