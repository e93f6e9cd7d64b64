import type { ErrorCode } from '../errors.js';
import type { Diagnostic } from './diagnostic.js';
import type { RealPosition } from './source-map.js';
import type { SourceRegistry } from './source-registry.js';

/** Collects diagnostics for one load, quoting source lines from the registry. */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  readonly #registry: SourceRegistry;
  readonly #seen = new Set<string>();

  constructor(registry: SourceRegistry) {
    this.#registry = registry;
  }

  /** Record a problem at a real position. */
  report(code: ErrorCode, pos: RealPosition, message: string): void {
    const key = `${code}\0${pos.file}\0${pos.line}\0${pos.column}\0${message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.diagnostics.push({ code, file: pos.file, line: pos.line, column: pos.column, message, sourceLine: this.#registry.line(pos.file, pos.line) });
  }

  /** Shorthand for a validation error. */
  invalid(pos: RealPosition, message: string): void {
    this.report('ENS_E_VALIDATION', pos, message);
  }
}
