import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, assertKnownKeys } from '@pointwise/core';
import type { ConformanceCase } from './case.js';

function requireField(record: Record<string, unknown>, key: string, check: (v: unknown) => boolean, expected: string, where: string): void {
  if (!check(record[key])) throw new InvalidArgumentError(`${where}.${key}`, expected, record[key]);
}

/** Like {@link requireField} for a field that may be absent (`undefined`). */
function optionalField(record: Record<string, unknown>, key: string, check: (v: unknown) => boolean, expected: string, where: string): void {
  if (record[key] !== undefined) requireField(record, key, check, expected, where);
}

/**
 * The fields of a case record ({@link ConformanceCase}'s, so a built-in case written to JSON reads back);
 * any other is a likely misspelling: an `expcted` was ignored, and its case passed unchecked.
 */
const CASE_KEYS: readonly string[] = ['name', 'tier', 'description', 'inputShape', 'inputLayout', 'outputLayout', 'outChannels', 'options', 'input', 'weights', 'bias', 'expected', 'witnesses'];
const EXPECTED_KEYS: readonly string[] = ['output', 'tolerance', 'source'];

/**
 * Most elements a case file's input or weights may have: 2^29 float32 (2 GiB), the bench's limit per tensor.
 * The data is generated before core sees the shape, so `[1, 2, 1, 2^31]` with a generator filled 16 GiB.
 */
export const MAX_CASE_TENSOR_ELEMENTS = 2 ** 29;

const isLayout = (v: unknown): boolean => v === 'NCHW' || v === 'NHWC';
/** A finite number ≥ 0, or absent (a negative `atol` made every element fail, "± -1.00e+0"). */
const isTolerance = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses the cases of an external case file (format in the README:
 * `{ "cases": [ … ] }` or a bare array of case records). Each record becomes
 * a case of tier `file`; `inputLayout` defaults to `"NCHW"` (as in core's
 * `normalizeConv1x1`) and `witnesses` to `true`. Checks the fields a
 * case needs, that it has no other, and the expected output's tolerance; the
 * rest (sizes, options, data lengths) is validated by core when the case is materialised.
 *
 * @param where the file name, for error messages.
 * @throws {InvalidArgumentError} naming the record and field that is wrong or unknown.
 */
export function parseCaseFile(json: unknown, where: string): ConformanceCase[] {
  const list = Array.isArray(json) ? json : (json as { cases?: unknown } | null)?.cases;
  if (!Array.isArray(list)) throw new InvalidArgumentError(where, '{ "cases": [ … ] } or an array of cases', json);
  return list.map((raw, i) => {
    const at = `${where}: cases[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw new InvalidArgumentError(at, 'a case object', raw);
    const record = raw as Record<string, unknown>;
    assertKnownKeys(at, record, CASE_KEYS);
    requireField(record, 'name', (v) => typeof v === 'string' && v.length > 0, 'a non-empty string', at);
    requireField(record, 'inputShape', (v) => Array.isArray(v) && v.length === 4, '[N, Ci, H, W]', at);
    optionalField(record, 'inputLayout', isLayout, '"NCHW" or "NHWC"', at);
    optionalField(record, 'outputLayout', isLayout, '"NCHW" or "NHWC"', at);
    requireField(record, 'outChannels', (v) => typeof v === 'number', 'a number (Co)', at);
    const [n, ci, h, w] = record.inputShape as unknown[];
    const sizes = [n, ci, h, w, record.outChannels];
    // Only sizes that core would take can be counted; core reports the others when the case is materialised.
    if (sizes.every((v) => Number.isSafeInteger(v) && (v as number) >= 0)) {
      const [input, weights] = [(n as number) * (ci as number) * (h as number) * (w as number), (record.outChannels as number) * (ci as number)];
      if (input > MAX_CASE_TENSOR_ELEMENTS) throw new InvalidArgumentError(`${at}.inputShape`, `at most ${MAX_CASE_TENSOR_ELEMENTS} elements N·Ci·H·W`, input);
      if (weights > MAX_CASE_TENSOR_ELEMENTS) throw new InvalidArgumentError(`${at}.outChannels`, `at most ${MAX_CASE_TENSOR_ELEMENTS} weights Co·Ci`, weights);
    }
    optionalField(record, 'options', isObject, 'an options object', at);
    requireField(record, 'input', isObject, 'a data source', at);
    requireField(record, 'weights', isObject, 'a data source', at);
    optionalField(record, 'bias', (v) => v === null || isObject(v), 'a data source or null', at);
    optionalField(record, 'expected', (v) => isObject(v) && isObject((v as { output?: unknown }).output), '{ "output": <data source>, "tolerance"?: … }', at);
    if (isObject(record.expected)) {
      const expected = record.expected as Record<string, unknown>;
      assertKnownKeys(`${at}.expected`, expected, EXPECTED_KEYS);
      const tolerance = expected.tolerance as Record<string, unknown> | undefined;
      const valid =
        tolerance === undefined ||
        (isObject(tolerance) &&
          ('boundFactor' in tolerance
            ? Object.keys(tolerance).length === 1 && isTolerance(tolerance.boundFactor)
            : Object.keys(tolerance).every((k) => k === 'atol' || k === 'rtol') && isTolerance(tolerance.atol) && isTolerance(tolerance.rtol)));
      if (!valid) throw new InvalidArgumentError(`${at}.expected.tolerance`, '{ "boundFactor": b } or { "atol"?: a, "rtol"?: r }, each a finite number ≥ 0', tolerance);
    }
    optionalField(record, 'witnesses', (v) => typeof v === 'boolean', 'true or false', at);
    return { witnesses: true, inputLayout: 'NCHW', ...record, name: `file/${record.name as string}`, tier: 'file' } as ConformanceCase;
  });
}

/**
 * Reads and parses a case file.
 * @throws {InvalidArgumentError} for malformed records; `SyntaxError` for invalid JSON; fs errors for a missing file.
 */
export async function loadCaseFile(path: string): Promise<ConformanceCase[]> {
  return parseCaseFile(JSON.parse(await readFile(path, 'utf8')), path);
}
