/**
 * Every file read while building a plan (root, imports, compose templates,
 * snippets), by absolute path: its text (to quote source lines in
 * diagnostics) and a small numeric id (used in position markers).
 */
export class SourceRegistry {
  readonly #ids = new Map<string, number>();
  readonly #paths: string[] = [];
  /** A file's text, or its lines once a diagnostic quoted one (split on first use: most files never need it). */
  readonly #texts = new Map<string, string | string[]>();

  /** Remember a file's original text; returns its id. */
  add(file: string, text: string): number {
    this.#texts.set(file, text);
    return this.id(file);
  }

  /** The id of a file (assigned on first use). */
  id(file: string): number {
    let id = this.#ids.get(file);
    if (id === undefined) {
      id = this.#paths.length;
      this.#paths.push(file);
      this.#ids.set(file, id);
    }
    return id;
  }

  /** The path of an id. */
  path(id: number): string {
    return this.#paths[id] ?? '<unknown>';
  }

  /** The text of a 1-based line, when the file is known. */
  line(file: string, line: number): string | undefined {
    let lines = this.#texts.get(file);
    if (typeof lines === 'string') {
      lines = lines.split('\n');
      this.#texts.set(file, lines);
    }
    return lines?.[line - 1]?.replace(/\r$/, '');
  }

  /** Files whose text was added, in the order they were read. */
  files(): string[] {
    return [...this.#texts.keys()];
  }
}
