import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A unit's own cgroup, created and configured (limits written) before its
 * process is spawned. The process enters it before it executes the unit's
 * program (see {@link enterCgroupCommand}), so limits bound it from its first
 * instruction and every descendant — also one that starts a new session or
 * double-forks — stays listed in it.
 */
export interface UnitCgroup {
  readonly mechanism: 'cgroup-v1' | 'cgroup-v2';
  /** One directory per hierarchy (v2: one; v1: one in each of memory, cpu, pids that is writable). */
  readonly dirs: readonly string[];
  /** Text of a kill by the memory limit, e.g. `memory limit 50 MiB (OOM)`; null without a memory limit. */
  readonly oomReason: string | null;
}

/**
 * The script that puts itself into the unit's cgroup(s) and then executes the
 * unit's command in the same process: `sh -c SCRIPT ensemble-cgroup N PROCS… -- FILE ARGS…`.
 * A write that fails ends the start with exit code 125 and one line on stderr
 * (nothing of the unit ran).
 */
const ENTER_SCRIPT = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || { echo "ensemble: cannot enter cgroup $1" >&2; exit 125; }; shift; n=$((n-1)); done; shift; exec "$@"';

/** The shell used to enter the cgroup (POSIX sh: a few hundred KB for microseconds, then replaced by the program). */
const SHELL = '/bin/sh';

/** `file args…` wrapped so the process joins `cgroup` before it executes `file`. */
export function enterCgroupCommand(cgroup: UnitCgroup, file: string, args: readonly string[]): { file: string; args: string[] } {
  const procs = cgroup.dirs.map((dir) => join(dir, 'cgroup.procs'));
  return { file: SHELL, args: ['-c', ENTER_SCRIPT, 'ensemble-cgroup', String(procs.length), ...procs, '--', file, ...args] };
}

/** Every process in the unit's cgroup(s) (v1: the union over the hierarchies); empty once it is gone. */
export function cgroupMembers(cgroup: UnitCgroup): number[] {
  const all = new Set<number>();
  for (const dir of cgroup.dirs) {
    let text: string;
    try {
      text = readFileSync(join(dir, 'cgroup.procs'), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) if (line !== '') all.add(Number(line));
  }
  return [...all];
}

/** Send `signal` to every process of the cgroup; SIGKILL uses v2 `cgroup.kill` when the kernel has it. */
export function signalCgroup(cgroup: UnitCgroup, signal: NodeJS.Signals): void {
  if (signal === 'SIGKILL') {
    for (const dir of cgroup.dirs) {
      const kill = join(dir, 'cgroup.kill');
      if (!existsSync(kill)) continue;
      try {
        writeFileSync(kill, '1\n');
        return;
      } catch {
        // fall back to one signal per process
      }
    }
  }
  for (const pid of cgroupMembers(cgroup)) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}

/**
 * How many processes of the cgroup the kernel's OOM killer killed:
 * `oom_kill` of `memory.events` (v2) or `memory.oom_control` (v1); on old v1
 * kernels without that counter, 1 when `memory.failcnt` shows the limit was hit.
 */
export function oomKillCount(cgroup: UnitCgroup): number {
  for (const dir of cgroup.dirs) {
    for (const file of ['memory.events', 'memory.oom_control']) {
      let text: string;
      try {
        text = readFileSync(join(dir, file), 'utf8');
      } catch {
        continue;
      }
      const match = /^oom_kill (\d+)$/m.exec(text);
      if (match) return Number(match[1]);
    }
  }
  // v1 before Linux 4.13 has no oom_kill counter: a hit of the limit is the best hint there.
  for (const dir of cgroup.dirs) {
    try {
      if (Number(readFileSync(join(dir, 'memory.failcnt'), 'utf8')) > 0) return 1;
    } catch {
      // not the memory hierarchy
    }
  }
  return 0;
}
