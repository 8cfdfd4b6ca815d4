import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from '@pointwise/core';

/**
 * The directory the user ran the command in: `INIT_CWD`, which pnpm sets to
 * it (the root `pnpm bench` script runs the CLI from the repository root),
 * else the process's working directory.
 */
export function userDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.INIT_CWD || process.cwd();
}

/** A file path from the command line resolved against {@link userDirectory} (absolute paths unchanged). */
export function userPath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(userDirectory(env), path);
}

/**
 * Checks before the run that an output file can be written: its directory
 * exists, is a directory and is writable, and the path is not a directory
 * nor a read-only file.
 * @param option the option that named it, e.g. `--json`, for the message.
 * @param path an absolute path (see {@link userPath}).
 * @throws {InvalidArgumentError} saying what is wrong with the path.
 */
export async function checkOutputPath(option: string, path: string): Promise<void> {
  const directory = dirname(path);
  const dirStat = await stat(directory).catch(() => undefined);
  if (dirStat === undefined || !dirStat.isDirectory()) {
    throw new InvalidArgumentError(option, `a file in an existing directory (${directory} does not exist)`, path);
  }
  try {
    await access(directory, constants.W_OK);
  } catch {
    throw new InvalidArgumentError(option, `a file in a writable directory (${directory} is not writable)`, path);
  }
  const fileStat = await stat(path).catch(() => undefined);
  if (fileStat?.isDirectory()) throw new InvalidArgumentError(option, 'a file, not a directory', path);
  if (fileStat !== undefined) await access(path, constants.W_OK).catch(() => {
    throw new InvalidArgumentError(option, 'a writable file (it exists and is read-only)', path);
  });
}
