import { allPids, procStat } from './proc-info.js';

/** Send `signal` to every process of group `pgid`; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

/** The live (non-zombie) members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const pid of allPids()) {
    const stat = procStat(pid);
    if (stat && stat.pgid === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(pid);
  }
  return members;
}

/**
 * True while any process of the group lives. Zombies do not count: a
 * grandchild reparented to an init that reaps slowly is already dead.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  return groupMembers(pgid).length > 0;
}

/**
 * Resolve once group `pgid` has no live process (checked with a short, growing
 * interval — only used while a unit is being torn down), or false at `timeoutMs`.
 */
export function waitGroupGone(pgid: number, timeoutMs = Infinity): Promise<boolean> {
  return new Promise((resolve) => {
    const deadline = Date.now() + timeoutMs;
    let interval = 10;
    const check = (): void => {
      if (!groupAlive(pgid)) return resolve(true);
      if (Date.now() >= deadline) return resolve(false);
      interval = Math.min(interval * 2, 200);
      setTimeout(check, interval);
    };
    check();
  });
}
