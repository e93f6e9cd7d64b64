import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** One process as seen in /proc/<pid>/stat. */
export interface ProcEntry {
  readonly pid: number;
  readonly ppid: number;
  /** Kernel state letter: R, S, D, Z, T, … */
  readonly state: string;
  /** The kernel's short name (first 15 bytes of the executable's name). */
  readonly comm: string;
}

/** Memory of one process from /proc/<pid>/smaps_rollup, in KiB. */
export interface Footprint {
  readonly rssKiB: number;
  readonly pssKiB: number;
}

/** Every pid currently listed in /proc. */
export function listPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids;
}

/** /proc/<pid>/stat, or undefined when the process is gone. */
export function readProc(pid: number): ProcEntry | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // comm is in parentheses and may itself contain spaces and parentheses.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  return { pid, comm: text.slice(open + 1, close), state: rest[0] ?? '?', ppid: Number(rest[1]) };
}

/** True when the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const entry = readProc(pid);
  return entry !== undefined && entry.state !== 'Z' && entry.state !== 'X';
}

/** Every live (non-zombie) process in /proc. */
export function snapshot(): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const pid of listPids()) {
    const entry = readProc(pid);
    if (entry && entry.state !== 'Z' && entry.state !== 'X') out.push(entry);
  }
  return out;
}

/** The roots and every live descendant of them. */
export function processTree(roots: readonly number[], entries: readonly ProcEntry[] = snapshot()): ProcEntry[] {
  const children = new Map<number, ProcEntry[]>();
  const byPid = new Map<number, ProcEntry>();
  for (const e of entries) {
    byPid.set(e.pid, e);
    const list = children.get(e.ppid);
    if (list) list.push(e);
    else children.set(e.ppid, [e]);
  }
  const out: ProcEntry[] = [];
  const seen = new Set<number>();
  const queue = roots.map((pid) => byPid.get(pid)).filter((e): e is ProcEntry => e !== undefined);
  while (queue.length > 0) {
    const e = queue.shift()!;
    if (seen.has(e.pid)) continue;
    seen.add(e.pid);
    out.push(e);
    queue.push(...(children.get(e.pid) ?? []));
  }
  return out;
}

/** The resolved executable of a process, or undefined (gone, zombie, kernel thread). */
export function exePath(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/** The working directory of a process, or undefined. */
export function cwdPath(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** The command line of a process on one line (arguments and any whitespace in them joined by single spaces), or '' when gone. */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/[\0\s]+/g, ' ').trim();
  } catch {
    return '';
  }
}

/** RSS and PSS from /proc/<pid>/smaps_rollup (0 when the process is gone). */
export function footprint(pid: number): Footprint {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return { rssKiB: 0, pssKiB: 0 };
  }
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rssKiB: field('Rss'), pssKiB: field('Pss') };
}

/**
 * CPU time a process has used so far, in nanoseconds, over all its live threads
 * (from /proc/<pid>/task/<tid>/schedstat, precise to the nanosecond; falls back to
 * utime+stime in clock ticks from /proc/<pid>/stat). Time of reaped children is not included.
 */
export function cpuNanos(pid: number): number {
  let total = 0;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  let precise = true;
  for (const tid of tasks) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      precise = false;
    }
  }
  if (precise && total > 0) return total;
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime) are at index 11 and 12 after the comm.
    return (Number(rest[11]) + Number(rest[12])) * (1e9 / 100);
  } catch {
    return 0;
  }
}
