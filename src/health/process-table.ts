import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** One process, as read from `/proc/<pid>/stat`. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** One-letter state (`R`, `S`, `Z`, …). */
  readonly state: string;
  /** utime + stime + cutime + cstime, in clock ticks (see {@link CLOCK_TICKS_PER_SECOND}). */
  readonly cpuTicks: number;
  readonly threads: number;
  readonly rssBytes: number;
  /** Start time after boot, clock ticks (with the pid, identifies a process across pid reuse). */
  readonly startTicks: number;
}

/** A snapshot of every process on the machine. */
export interface ProcessTable {
  readonly processes: ReadonlyMap<number, ProcessInfo>;
  readonly children: ReadonlyMap<number, readonly number[]>;
  /** Seconds since boot when the table was read. */
  readonly uptimeSeconds: number;
}

/**
 * `USER_HZ`, the unit of the tick counters in `/proc/<pid>/stat`. It is 100 on
 * every Linux architecture's user-space ABI (the kernel converts internally).
 */
export const CLOCK_TICKS_PER_SECOND = 100;

let pageSizeCache: number | null = null;

/**
 * The page size, derived once from this process's own `/proc/self/statm`
 * (pages) and `/proc/self/status` (VmRSS in kB); 4096 if that fails.
 */
export function pageSize(procRoot = '/proc'): number {
  if (pageSizeCache !== null) return pageSizeCache;
  let size = 4096;
  try {
    const pages = Number(readFileSync(join(procRoot, 'self', 'statm'), 'utf8').split(' ')[1]);
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(join(procRoot, 'self', 'status'), 'utf8'))?.[1]);
    if (pages > 0 && kb > 0) size = 2 ** Math.round(Math.log2((kb * 1024) / pages));
  } catch {
    // keep the default
  }
  pageSizeCache = size;
  return size;
}

/** Parse the content of `/proc/<pid>/stat`; null when malformed. */
export function parseStat(pid: number, text: string, pageBytes: number): ProcessInfo | null {
  // The command name (field 2) is in parentheses and may itself contain spaces and parentheses.
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state); field N is fields[N - 3].
  const num = (field: number): number => Number(fields[field - 3]);
  const info: ProcessInfo = {
    pid,
    ppid: num(4),
    state: fields[0] ?? '?',
    cpuTicks: num(14) + num(15) + num(16) + num(17),
    threads: num(20),
    startTicks: num(22),
    rssBytes: Math.max(0, num(24)) * pageBytes,
  };
  return Number.isFinite(info.ppid) && Number.isFinite(info.cpuTicks) ? info : null;
}

/** Stat files read synchronously between two yields to the event loop. */
const CHUNK = 256;
const buffer = Buffer.alloc(4096);

/** Read a small /proc file with one `read` (null when it vanished). */
function readSmall(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.toString('latin1', 0, length);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Read every process once: one `readdir` of /proc plus one read of each
 * `/proc/<pid>/stat` (processes that vanish meanwhile are skipped).
 *
 * The stat files are read with synchronous open/read/close in chunks of
 * {@link CHUNK}, yielding to the event loop between chunks: about 12 µs per
 * process, several times cheaper than promise-based reads (see docs/health.md).
 */
export async function readProcessTable(procRoot = '/proc'): Promise<ProcessTable> {
  const pageBytes = pageSize(procRoot);
  const entries = await readdir(procRoot);
  const uptime = readSmall(join(procRoot, 'uptime')) ?? '0';
  const processes = new Map<number, ProcessInfo>();
  const children = new Map<number, number[]>();
  let count = 0;
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    if (++count % CHUNK === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const pid = Number(name);
    const text = readSmall(join(procRoot, name, 'stat'));
    const info = text === null ? null : parseStat(pid, text, pageBytes);
    if (info === null) continue;
    processes.set(pid, info);
    const siblings = children.get(info.ppid);
    if (siblings) siblings.push(pid);
    else children.set(info.ppid, [pid]);
  }
  return { processes, children, uptimeSeconds: Number(uptime.split(' ')[0]) };
}

/** `rootPid` and all its descendants present in `table` (root first); empty when the root is absent. */
export function processTree(table: ProcessTable, rootPid: number): ProcessInfo[] {
  const root = table.processes.get(rootPid);
  if (root === undefined) return [];
  const tree: ProcessInfo[] = [root];
  const seen = new Set<number>([rootPid]);
  for (let i = 0; i < tree.length; i++) {
    for (const child of table.children.get((tree[i] as ProcessInfo).pid) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      const info = table.processes.get(child);
      if (info) tree.push(info);
    }
  }
  return tree;
}
