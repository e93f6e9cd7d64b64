import { readFileSync } from 'node:fs';

/** One start of a unit, as the unit program wrote it. */
export interface UnitStart {
  readonly name: string;
  readonly pid: number;
  /** CLOCK_MONOTONIC at the unit's first instruction, in ns (same clock as process.hrtime.bigint()). */
  readonly atNs: bigint;
}

/**
 * The start log a peer instance's units append to (see bench/units/unit.c):
 * one line per start, so restarts, start counts and start times need no /proc polling.
 */
export class StartLog {
  readonly path: string;
  #offset = 0;
  readonly #starts: UnitStart[] = [];

  constructor(path: string) {
    this.path = path;
  }

  /** Every start so far, oldest first (reads what was appended since the last call). */
  read(): readonly UnitStart[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return this.#starts;
    }
    const end = text.lastIndexOf('\n') + 1;
    if (end > this.#offset) {
      for (const line of text.slice(this.#offset, end).split('\n')) {
        const [name, pid, at] = line.split(' ');
        if (name && pid && at) this.#starts.push({ name, pid: Number(pid), atNs: BigInt(at) });
      }
      this.#offset = end;
    }
    return this.#starts;
  }

  /** The latest start of each unit. */
  latest(): Map<string, UnitStart> {
    const out = new Map<string, UnitStart>();
    for (const s of this.read()) out.set(s.name, s);
    return out;
  }
}
