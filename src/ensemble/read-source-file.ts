import { isUtf8 } from 'node:buffer';
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { formatBytes } from '../common/size.js';
import { MAX_FILE_BYTES } from './limits.js';

/** The text of a source file, or why it cannot be one (a phrase: `is a directory`). */
export type SourceRead = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: string };

const CHUNK = 64 * 1024;

/** What a file that is not a regular file is, as a phrase. */
function notRegular(s: Stats): string {
  if (s.isDirectory()) return 'is a directory';
  const kind = s.isFIFO() ? 'a FIFO' : s.isCharacterDevice() ? 'a character device' : s.isBlockDevice() ? 'a block device' : s.isSocket() ? 'a socket' : 'not a file';
  return `not a regular file (it is ${kind})`;
}

/** A read error as a phrase. */
function readProblem(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return e instanceof Error ? e.message : String(e);
}

/** 1-based line and column of a byte offset (columns count bytes; only used for the first bad byte). */
function lineAndColumn(buf: Buffer, offset: number): string {
  let line = 1;
  let start = 0;
  for (let nl = buf.indexOf(0x0a); nl >= 0 && nl < offset; nl = buf.indexOf(0x0a, nl + 1)) {
    line++;
    start = nl + 1;
  }
  return `line ${line}, column ${offset - start + 1}`;
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(buf: Buffer): number {
  for (let i = 0; i < buf.length; ) {
    const b = buf[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    const n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > buf.length || !isUtf8(buf.subarray(i, i + n))) return i;
    i += n;
  }
  return -1;
}

/**
 * Read an ensemble source (the root file, an import): only a regular file
 * of at most {@link MAX_FILE_BYTES}, holding UTF-8 text without NUL bytes.
 * The path is checked with stat first, so a FIFO or a device is never
 * opened; it is then opened with O_NONBLOCK (a FIFO swapped in meanwhile
 * cannot block), checked again with fstat on the descriptor, and read up
 * to one byte past the limit (a file that grows, or one whose size stat
 * does not tell, such as files in /proc, is still cut there).
 */
export async function readSourceFile(file: string): Promise<SourceRead> {
  try {
    const before = await stat(file);
    if (!before.isFile()) return { ok: false, problem: notRegular(before) };
    if (before.size > MAX_FILE_BYTES) return { ok: false, problem: `is larger than the ${formatBytes(MAX_FILE_BYTES)} limit (${formatBytes(before.size)})` };
    const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    let buf: Buffer;
    try {
      const opened = await handle.stat();
      if (!opened.isFile()) return { ok: false, problem: notRegular(opened) };
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const room = Math.min(Math.max(CHUNK, opened.size - total + 1), MAX_FILE_BYTES + 1 - total);
        const chunk = Buffer.allocUnsafe(room);
        const { bytesRead } = await handle.read(chunk, 0, room, null);
        if (bytesRead === 0) break;
        chunks.push(bytesRead === room ? chunk : chunk.subarray(0, bytesRead));
        total += bytesRead;
        if (total > MAX_FILE_BYTES) return { ok: false, problem: `is larger than the ${formatBytes(MAX_FILE_BYTES)} limit` };
      }
      buf = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
    } finally {
      await handle.close();
    }
    const nul = buf.indexOf(0);
    if (nul >= 0) return { ok: false, problem: `not a text file (it has a NUL byte at ${lineAndColumn(buf, nul)})` };
    if (!isUtf8(buf)) {
      const bad = firstInvalidUtf8(buf);
      return { ok: false, problem: `not UTF-8 text (byte 0x${(buf[bad] ?? 0).toString(16).padStart(2, '0')} at ${lineAndColumn(buf, bad)})` };
    }
    return { ok: true, text: buf.toString('utf8') };
  } catch (e) {
    return { ok: false, problem: readProblem(e) };
  }
}
