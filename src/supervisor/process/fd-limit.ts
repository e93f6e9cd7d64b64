import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** RLIMIT_NOFILE of this process (null for unlimited or unknown). */
export interface FdLimits {
  readonly soft: number | null;
  readonly hard: number | null;
}

/** What {@link raiseFdLimit} did. */
export interface FdLimitChange {
  readonly before: FdLimits;
  readonly after: FdLimits;
  /** Why the soft limit could not be raised, or null. */
  readonly problem: string | null;
}

/** Soft limit a supervisor wants at least (when the hard limit allows it). */
export const WANTED_FD_LIMIT = 65_536;

/** Read RLIMIT_NOFILE from `/proc/self/limits` (Linux). */
export function fdLimits(pid: number | 'self' = 'self'): FdLimits {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const [soft, hard] = (line ?? '').replace('Max open files', '').trim().split(/\s+/);
    const num = (v: string | undefined): number | null => (v === undefined || v === 'unlimited' || !/^\d+$/.test(v) ? null : Number(v));
    return { soft: num(soft), hard: num(hard) };
  } catch {
    return { soft: null, hard: null };
  }
}

/**
 * Raise this process's soft RLIMIT_NOFILE towards the hard limit (up to
 * {@link WANTED_FD_LIMIT}), as Go programs and systemd services do: a
 * supervisor holds pipes for every unit, the API sockets and the network
 * listener's connections, and the common soft default of 1,024 is too low.
 *
 * Node has no setrlimit, so this runs util-linux's `prlimit --pid <self>`
 * (prlimit(2) on a process of the same user needs no privilege for the soft
 * limit). Without `prlimit`, or when it fails, nothing changes and `problem`
 * says why. Never lowers a limit.
 */
export function raiseFdLimit(wanted: number = WANTED_FD_LIMIT): FdLimitChange {
  const before = fdLimits();
  if (before.soft === null) return { before, after: before, problem: null };
  const target = before.hard === null ? wanted : Math.min(before.hard, wanted);
  if (before.soft >= target) return { before, after: before, problem: null };
  const r = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${target}:`], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'ignore', 'pipe'] });
  const after = fdLimits();
  const problem = r.error ? `cannot run prlimit: ${r.error.message}` : r.status !== 0 ? `prlimit failed: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.status}`}` : null;
  return { before, after, problem };
}
