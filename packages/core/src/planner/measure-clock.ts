import { InvalidArgumentError, type PointwiseError } from '../errors.js';

/**
 * The clock, its readings checked: a reading that is not a finite number, or
 * one earlier than the last, would make medians meaningless (NaN or negative).
 * @throws {InvalidArgumentError} on such a reading.
 */
export function checkedClock(clock: () => number): () => number {
  let last = -Infinity;
  return () => {
    const reading: unknown = clock();
    if (typeof reading !== 'number' || !Number.isFinite(reading) || reading < last) {
      const since = last === -Infinity ? '' : ` (the last reading was ${last})`;
      throw new InvalidArgumentError('options.measure.clock', `finite milliseconds that never decrease${since}`, reading);
    }
    last = reading;
    return reading;
  };
}

/** Whether `error` is {@link checkedClock}'s: a broken clock ends the measurement, it is no candidate's fault. */
export function isClockError(error: PointwiseError): boolean {
  return error instanceof InvalidArgumentError && error.parameter === 'options.measure.clock';
}
