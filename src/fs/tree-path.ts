import { isUnitName } from '../ensemble/unit-name.js';
import { FileViewError } from './errno.js';

/** A validated path inside the file view: its segments, never `.`, `..` or empty. */
export type TreePath = readonly string[];

const SEGMENT = /^[A-Za-z0-9_.:@-]+$/;

/** A segment of the plain characters, or a unit's name (`status/my unit/state`: names may hold spaces, docs/language.md "Names"). */
const segmentOk = (s: string): boolean => SEGMENT.test(s) || isUnitName(s);

/**
 * Split a file view path (`units/pump/speed`, `/status/api/state`, `` for the
 * root) into segments. Leading, trailing and doubled slashes are ignored.
 * `.`/`..` segments, NUL bytes and characters outside `[A-Za-z0-9_.:@-]` (in a
 * segment that is not a unit name) are refused (EINVAL for dot segments, ENOENT for names no node can have), so
 * no path can name anything outside the tree.
 */
export function parseTreePath(path: string): TreePath {
  const known = parsed.get(path);
  if (known) return known;
  const segments = path.split('/').filter((s) => s.length > 0);
  for (const s of segments) {
    if (s === '.' || s === '..') throw new FileViewError('EINVAL', `${path}: "${s}" is not allowed in a file view path`);
    if (!segmentOk(s)) throw new FileViewError('ENOENT', `${path}: no such path (invalid name "${s}")`);
  }
  const frozen = Object.freeze(segments);
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(path, frozen);
  return frozen;
}

/** Valid paths parsed lately (every FUSE operation parses its path; the same few paths repeat). */
const parsed = new Map<string, TreePath>();
const PARSED_MAX = 4096;

/** True when `name` can be one segment of a file view path. */
export function isValidSegment(name: string): boolean {
  return name !== '.' && name !== '..' && segmentOk(name);
}

/** The display form of a path: segments joined by `/`, the root as `/`. */
export function formatTreePath(path: TreePath): string {
  return path.length === 0 ? '/' : path.join('/');
}
