import { readdirSync, readFileSync } from 'node:fs';

function stat(pid: number): { state: string; pgid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', pgid: Number(fields[2]) };
  } catch {
    return null;
  }
}

/** True when `pid` exists in /proc and is not a zombie. */
export function isAlive(pid: number): boolean {
  const s = stat(pid);
  return s !== null && s.state !== 'Z' && s.state !== 'X';
}

/** Live members of process group `pgid`. */
export function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s && s.pgid === pgid && s.state !== 'Z') pids.push(Number(name));
  }
  return pids;
}

/** Every live process whose environment has `NAME=value` (e.g. the ENSEMBLE_SUPERVISOR of a test). */
export function pidsWithEnv(entry: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(entry) && isAlive(Number(name))) pids.push(Number(name));
    } catch {
      // Gone or not readable.
    }
  }
  return pids;
}

/** Every live process with an environment entry that starts with `prefix` (`ENSEMBLE_SUPERVISOR=unix:/tmp/ens-x/run/`). */
export function pidsWithEnvPrefix(prefix: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').some((e) => e.startsWith(prefix)) && isAlive(Number(name))) pids.push(Number(name));
    } catch {
      // Gone or not readable.
    }
  }
  return pids;
}

/**
 * Cleanup for tests: SIGKILL exactly these pids (processes the test started,
 * found by their environment or recorded), ignoring the ones already gone.
 */
export function killPids(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
