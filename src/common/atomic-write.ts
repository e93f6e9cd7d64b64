import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { conciseFsError } from './fs-error-text.js';
import { makeDirs } from './make-dirs.js';

/** Prefix of the temporary files {@link writeFileAtomic} makes next to the target. */
const TEMP_MARK = '.tmp-';

/**
 * Replace `file` with `data` so that a crash at any moment (kill -9, power
 * loss after the rename returned) leaves either the old or the new content,
 * never a torn file: write a temporary file in the same directory, fsync it,
 * rename it over `file`, fsync the directory. Synchronous, so writes from one
 * process are naturally ordered. Creates the directory when missing.
 *
 * On a full or read-only file system it throws an error whose message is the
 * cause alone (`no space left on device (ENOSPC)`, errno `code` kept; the
 * caller names the file) and leaves neither a temporary file nor a torn target.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): void {
  try {
    writeAtomic(file, data, mode);
  } catch (e) {
    throw conciseFsError(e);
  }
}

function writeAtomic(file: string, data: string | Uint8Array, mode: number): void {
  const dir = dirname(file);
  makeDirs(dir, 0o700);
  const temp = join(dir, `${basename(file)}${TEMP_MARK}${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  const fd = openSync(temp, 'w', mode);
  try {
    const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < buffer.length; ) off += writeSync(fd, buffer, off, buffer.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  fsyncDir(dir);
}

/** Remove temporary files a killed writer of `file` left behind (the target itself is untouched). */
export function removeStaleTemps(file: string): void {
  const dir = dirname(file);
  const prefix = `${basename(file)}${TEMP_MARK}`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(prefix)) rmSync(join(dir, name), { force: true });
}

function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    closeSync(fd);
  }
}
