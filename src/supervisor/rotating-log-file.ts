import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogSpec } from '../ensemble/plan.js';

/**
 * An append-only log file with size-based rotation (logrotate's `size` +
 * `rotate N`): when a write would take `file` past `maxBytes`, `file.N-1` →
 * `file.N`, …, `file` → `file.1`, and a new `file` is started. At most `keep`
 * rotated files are kept; `keep: 0` truncates instead. A single record larger
 * than `maxBytes` is still written whole, into a fresh file.
 *
 * Writes are synchronous and in order, so nothing is lost when the supervisor
 * exits right after a unit's last line.
 */
export class RotatingLogFile {
  private fd: number | null = null;
  private size = 0;
  private broken = false;

  constructor(
    readonly path: string,
    private readonly spec: LogSpec,
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  /** Append `text` (which should end with a newline). Errors (disk full) are reported once and then ignored. */
  write(text: string): void {
    if (this.broken) return;
    try {
      const bytes = Buffer.from(text, 'utf8');
      if (this.fd === null) this.open();
      if (this.size > 0 && this.size + bytes.length > this.spec.maxBytes) this.rotate();
      writeSync(this.fd as number, bytes);
      this.size += bytes.length;
    } catch (e) {
      this.broken = true;
      this.onError(e as Error);
    }
  }

  /** Close the file; a later write reopens it. */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private open(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'a', 0o640);
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    const keep = this.spec.keep;
    if (keep <= 0) {
      rmSync(this.path, { force: true });
    } else {
      for (let i = keep - 1; i >= 1; i--) renameIfExists(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      renameIfExists(this.path, `${this.path}.1`);
    }
    this.open();
  }
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
