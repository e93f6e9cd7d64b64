import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { errnoCode } from './fs-error-text.js';

/**
 * `mkdir -p` that fails with the errno of the directory that could not be
 * made. Node's recursive mkdir reports ENOENT for the full path when a parent
 * sits on a read-only file system; this walks up to the deepest existing
 * ancestor and creates each missing level, so EROFS, ENOSPC or EACCES come out
 * as they are. Returns the directories it created (outermost first).
 */
export function makeDirs(dir: string, mode = 0o700): string[] {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!statSync(d).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, '${d}'`), { code: 'ENOTDIR', path: d });
      break;
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
      missing.push(d);
      if (dirname(d) === d) break;
    }
  }
  const created: string[] = [];
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, { mode });
      created.push(d);
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
    }
  }
  return created;
}
