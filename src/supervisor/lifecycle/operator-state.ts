import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleTemps, writeFileAtomic } from '../../common/atomic-write.js';

/** Name of the operator state file in the ensemble's state directory. */
export const OPERATOR_STATE_FILE = 'operator-state.json';

/** The operator state file as written (version 1). */
export interface OperatorStateData {
  readonly version: 1;
  /** Units an operator stopped by hand; they stay down across supervisor restarts. */
  readonly stopped: readonly string[];
}

/** What {@link readOperatorState} found. */
export interface OperatorStateRead {
  readonly data: OperatorStateData;
  /** Why the file was ignored (unreadable or not operator state), or null. */
  readonly problem: string | null;
}

const EMPTY: OperatorStateData = { version: 1, stopped: [] };

/** Path of the operator state file of a state directory. */
export function operatorStateFile(stateDir: string): string {
  return join(stateDir, OPERATOR_STATE_FILE);
}

/**
 * Read the operator state file. A missing file is the empty state; a file
 * that is not valid operator state is reported in `problem` and treated as
 * empty (the writer is atomic, so this only happens when someone edited it).
 */
export function readOperatorState(file: string): OperatorStateRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { data: EMPTY, problem: null };
    return { data: EMPTY, problem: `cannot read ${file}: ${(e as Error).message}` };
  }
  try {
    const parsed = JSON.parse(text) as Partial<OperatorStateData>;
    if (parsed.version !== 1 || !Array.isArray(parsed.stopped) || !parsed.stopped.every((s) => typeof s === 'string')) {
      return { data: EMPTY, problem: `${file} is not operator state (version 1); ignored` };
    }
    return { data: { version: 1, stopped: [...parsed.stopped] }, problem: null };
  } catch (e) {
    return { data: EMPTY, problem: `${file} is not valid JSON (${(e as Error).message}); ignored` };
  }
}

/** Write operator state atomically (temp file, fsync, rename, fsync of the directory). */
export function writeOperatorState(file: string, data: OperatorStateData): void {
  writeFileAtomic(file, `${JSON.stringify({ version: 1, stopped: [...data.stopped].sort() }, null, 2)}\n`);
}

/**
 * What operators did by hand that must survive a supervisor restart: the
 * units they stopped (systemd's "masked until started" spirit, PM2's saved
 * process list). Persisted on every change, before the change is carried out,
 * so a crash in the middle of a stop still remembers it.
 */
export class OperatorState {
  private readonly stoppedSet: Set<string>;

  private constructor(
    readonly file: string,
    stopped: readonly string[],
    /** Why the file on disk was ignored when loaded, or null. */
    readonly problem: string | null,
    private readonly onError: (message: string) => void,
  ) {
    this.stoppedSet = new Set(stopped);
  }

  /** Load the state of `stateDir` (cleaning temporary files of a killed writer). */
  static load(stateDir: string, onError: (message: string) => void): OperatorState {
    const file = operatorStateFile(stateDir);
    removeStaleTemps(file);
    const read = readOperatorState(file);
    return new OperatorState(file, read.data.stopped, read.problem, onError);
  }

  /** True when an operator stopped `unit` and did not start it since. */
  isStopped(unit: string): boolean {
    return this.stoppedSet.has(unit);
  }

  /** Every remembered stopped unit. */
  stopped(): string[] {
    return [...this.stoppedSet].sort();
  }

  /** Record an operator stop (true) or start (false) of `unit`; writes only on change. */
  setStopped(unit: string, stopped: boolean): void {
    if (this.stoppedSet.has(unit) === stopped) return;
    if (stopped) this.stoppedSet.add(unit);
    else this.stoppedSet.delete(unit);
    this.save();
  }

  /** Forget every unit not in `units` (removed from the file); writes only on change. */
  retain(units: Iterable<string>): void {
    const keep = new Set(units);
    let changed = false;
    for (const name of [...this.stoppedSet]) {
      if (!keep.has(name)) {
        this.stoppedSet.delete(name);
        changed = true;
      }
    }
    if (changed) this.save();
  }

  private save(): void {
    try {
      writeOperatorState(this.file, { version: 1, stopped: [...this.stoppedSet] });
    } catch (e) {
      this.onError(`cannot save the operator state to ${this.file}: ${(e as Error).message}`);
    }
  }
}
