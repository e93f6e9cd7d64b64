import { accessSync, constants, statSync } from 'node:fs';
import { sep } from 'node:path';

/** Whether `path` names a regular file (following symbolic links); false when it cannot be stat'ed. */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether `path` names a directory (following symbolic links); false when it cannot be stat'ed. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Whether this process may execute `path` (access(2) with X_OK). */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether the absolute `path` is `dir` or inside it (by name: no file system access). */
export function isInsideDir(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}
