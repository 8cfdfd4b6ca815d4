import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from './usage-error.js';

/**
 * Checks before any case runs that `--json` can be written: its directory
 * exists and is writable, and the path is not a directory nor a read-only
 * file (found only when writing, after a run of minutes, it was a stack trace).
 * @param path an absolute path (settings resolve it against INIT_CWD).
 * @throws {UsageError} saying what is wrong with the path.
 */
export async function assertWritableOutput(option: string, path: string): Promise<void> {
  const directory = dirname(path);
  const directoryStat = await stat(directory).catch(() => undefined);
  if (directoryStat === undefined || !directoryStat.isDirectory()) throw new UsageError(`${option}: ${directory} is not an existing directory, so ${path} cannot be written`);
  if (!(await access(directory, constants.W_OK).then(() => true, () => false))) throw new UsageError(`${option}: the directory ${directory} is not writable`);
  const fileStat = await stat(path).catch(() => undefined);
  if (fileStat?.isDirectory()) throw new UsageError(`${option}: expected a file, received the directory ${path}`);
  if (fileStat !== undefined && !(await access(path, constants.W_OK).then(() => true, () => false))) throw new UsageError(`${option}: ${path} exists and is read-only`);
}
