import { delimiter, isAbsolute, resolve } from 'node:path';
import { isExecutable, isFile, isInsideDir } from './file-tests.js';

/** Where and how {@link findExecutable} looks. */
export interface ExecutableSearch {
  /** The directory a relative command or PATH entry is resolved against. */
  readonly cwd: string;
  /** The `PATH` to search, `:`-separated; empty entries are skipped. */
  readonly pathEnv: string;
  /**
   * A directory no program may come from (the supervisor's file view): a
   * command naming a file there is refused, PATH entries there are skipped
   * without being looked at.
   */
  readonly excludedDir?: string | null;
}

/** The executable found, or why there is none (`file`: the path that was refused, when the command named one). */
export type ExecutableLookup =
  | { readonly found: true; readonly file: string }
  | { readonly found: false; readonly reason: 'not-found' | 'not-executable' | 'excluded'; readonly file: string | null; readonly message: string };

/**
 * Resolve a command like execvp does, but up front so a missing one is a
 * clear message: a command with a `/` names a file (relative to `cwd`),
 * anything else is searched on `pathEnv`. Returns data, never throws; the
 * caller turns a miss into its own error (the supervisor a SpawnError, a unit
 * its own).
 */
export function findExecutable(command: string, search: ExecutableSearch): ExecutableLookup {
  const excluded = search.excludedDir ?? null;
  if (command.includes('/')) {
    const file = isAbsolute(command) ? command : resolve(search.cwd, command);
    if (excluded !== null && isInsideDir(resolve(file), excluded)) return { found: false, reason: 'excluded', file, message: `executable ${file} is inside ${excluded}` };
    if (!isFile(file)) return { found: false, reason: 'not-found', file, message: `executable ${file} not found` };
    if (!isExecutable(file)) return { found: false, reason: 'not-executable', file, message: `${file} is not executable` };
    return { found: true, file };
  }
  for (const dir of search.pathEnv.split(delimiter)) {
    if (!dir) continue;
    const file = resolve(search.cwd, dir, command);
    if (excluded !== null && isInsideDir(file, excluded)) continue;
    if (isFile(file) && isExecutable(file)) return { found: true, file };
  }
  return { found: false, reason: 'not-found', file: null, message: `executable "${command}" not found on PATH` };
}
