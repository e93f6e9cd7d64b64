/** Default longest line kept in one piece (like Docker's 16 KiB log chunks). */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024;

const NEWLINE = 0x0a;
// C0 control characters except TAB and ESC (kept for colours), plus DEL.
// eslint-disable-next-line no-control-regex
const UNSAFE_CONTROL = /[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f]/g;

/**
 * Splits a byte stream (a unit's stdout or stderr) into text lines.
 *
 * - Lines end at `\n`; a trailing `\r` is dropped.
 * - A line longer than `maxBytes` is emitted in pieces of at most `maxBytes`
 *   bytes, cut on a UTF-8 character boundary.
 * - Invalid UTF-8 becomes U+FFFD; control characters other than TAB and ESC
 *   become U+FFFD, so binary output cannot corrupt logs or terminals.
 * - {@link end} flushes a last line that has no newline.
 */
export class LineSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    private readonly emit: (line: string) => void,
    private readonly maxBytes: number = DEFAULT_MAX_LINE_BYTES,
  ) {}

  /** Feed the next chunk of bytes. */
  push(chunk: Buffer): void {
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      const nl = buf.indexOf(NEWLINE);
      if (nl >= 0 && nl <= this.maxBytes) {
        this.emitBytes(buf.subarray(0, nl));
        buf = buf.subarray(nl + 1);
        continue;
      }
      if (buf.length > this.maxBytes) {
        const cut = charBoundary(buf, this.maxBytes);
        this.emitBytes(buf.subarray(0, cut));
        buf = buf.subarray(cut);
        continue;
      }
      break;
    }
    // Copy so the (possibly large) source chunk can be freed.
    this.pending = Buffer.from(buf);
  }

  /** Flush the partial last line, if any. */
  end(): void {
    if (this.pending.length > 0) this.emitBytes(this.pending);
    this.pending = Buffer.alloc(0);
  }

  private emitBytes(bytes: Buffer): void {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    this.emit(safeText(bytes.subarray(0, end)));
  }
}

/** Decode bytes as UTF-8 and neutralise control characters. */
export function safeText(bytes: Buffer): string {
  return bytes.toString('utf8').replace(UNSAFE_CONTROL, '\uFFFD');
}

/** The largest cut ≤ `limit` that does not split a UTF-8 sequence. */
function charBoundary(buf: Buffer, limit: number): number {
  let cut = limit;
  // Continuation bytes look like 10xxxxxx; back up at most 3 of them.
  for (let i = 0; i < 3 && cut > 0 && ((buf[cut] ?? 0) & 0xc0) === 0x80; i++) cut--;
  return cut > 0 ? cut : limit;
}
