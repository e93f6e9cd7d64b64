import type { ErrorCode } from '../common/errors.js';
import { clipMessage } from './clip-text.js';
import { quoteLine, type Diagnostic } from './diagnostic.js';
import { MAX_DIAGNOSTICS } from './limits.js';
import type { RealPosition } from './source-map.js';
import type { SourceRegistry } from './source-registry.js';

/** Distinct problems remembered beyond the kept ones (to count repeats once); past it, every report counts. */
const MAX_REMEMBERED = 10_000;

/**
 * Collects diagnostics for one load, quoting source lines from the registry.
 * The first {@link MAX_DIAGNOSTICS} distinct problems are kept; the rest are
 * only counted in `omitted` ("and N more errors").
 */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  /** Distinct problems reported beyond the kept ones. */
  omitted = 0;
  readonly #registry: SourceRegistry;
  readonly #seen = new Set<string>();

  constructor(registry: SourceRegistry) {
    this.#registry = registry;
  }

  /** Record a problem at a real position. */
  report(code: ErrorCode, pos: RealPosition, text: string): void {
    // Past the kept diagnostics and the remembered keys, a report is only counted (it may repeat one).
    if (this.diagnostics.length >= MAX_DIAGNOSTICS && this.#seen.size >= MAX_REMEMBERED) {
      this.omitted++;
      return;
    }
    const message = clipMessage(text);
    const key = `${code}\0${pos.file}\0${pos.line}\0${pos.column}\0${message}`;
    if (this.#seen.has(key)) return;
    if (this.diagnostics.length >= MAX_DIAGNOSTICS) {
      if (this.#seen.size < MAX_REMEMBERED) this.#seen.add(key);
      this.omitted++;
      return;
    }
    this.#seen.add(key);
    const line = this.#registry.line(pos.file, pos.line);
    const quoted = line === undefined ? undefined : quoteLine(line, pos.column);
    this.diagnostics.push({
      code,
      file: pos.file,
      line: pos.line,
      column: pos.column,
      message,
      ...(quoted ? { sourceLine: quoted.text, ...(quoted.column !== pos.column ? { sourceColumn: quoted.column } : {}) } : {}),
    });
  }

  /** Shorthand for a validation error. */
  invalid(pos: RealPosition, message: string): void {
    this.report('ENS_E_VALIDATION', pos, message);
  }
}
