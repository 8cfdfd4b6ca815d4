import { readFile } from 'node:fs/promises';
import type { ConformanceCase } from '../catalogue/case.js';
import { parseCaseFile } from '../catalogue/case-file.js';
import { UsageError } from './usage-error.js';

function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/**
 * Reads and parses the `--cases` files, turning every problem into a
 * one-line {@link UsageError} that names the file (and, for a malformed
 * record, the record and field), so the CLI exits 2 before running anything.
 *
 * @param paths absolute paths, in the order given.
 * @throws {UsageError} for a file that cannot be read, is not JSON, or has a missing or invalid field.
 */
export async function loadCaseFiles(paths: readonly string[]): Promise<ConformanceCase[]> {
  const cases: ConformanceCase[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new UsageError(`--cases: cannot read ${path}: ${reasonOf(error)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--cases: ${path} is not valid JSON: ${reasonOf(error)}`);
    }
    try {
      cases.push(...parseCaseFile(json, path));
    } catch (error) {
      throw new UsageError(`--cases: ${reasonOf(error)}`);
    }
  }
  return cases;
}
