import { readdirSync, readFileSync } from 'node:fs';

/** What /proc/<pid>/stat tells about a process. */
export interface ProcStat {
  readonly pid: number;
  /** One-letter state: R, S, D, Z (zombie), T, … */
  readonly state: string;
  readonly ppid: number;
  readonly pgid: number;
  /** Start time in clock ticks after boot: with the pid, identifies a process across pid reuse. */
  readonly startTime: string;
}

/** Parse /proc/<pid>/stat, or null when the process does not exist. */
export function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    startTime: fields[19] ?? '',
  };
}

/** Every process id in /proc. */
export function allPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (/^\d+$/.test(name)) pids.push(Number(name));
  }
  return pids;
}

/** True when `pid` exists and is not a zombie. */
export function isLiveProcess(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

/** The environment of `pid` as NAME=value strings (empty when unreadable). */
export function procEnviron(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}
