import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

/** One line of /proc/self/mounts. */
export interface MountEntry {
  readonly source: string;
  readonly target: string;
  readonly type: string;
}

/** Decode the octal escapes (`\040` = space) the kernel uses in mount tables. */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The current mount table (empty where /proc is not available). */
export async function readMounts(): Promise<MountEntry[]> {
  let text: string;
  try {
    text = await readFile('/proc/self/mounts', 'utf8');
  } catch {
    return [];
  }
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [source, target, type] = line.split(' ');
    if (source && target && type) entries.push({ source, target: unescapeMountField(target), type });
  }
  return entries;
}

/** The FUSE mount at exactly `dir`, if any (reads the mount table only; never touches `dir`). */
export async function fuseMountAt(dir: string): Promise<MountEntry | null> {
  const abs = resolve(dir);
  const found = (await readMounts()).filter((m) => m.target === abs && (m.type === 'fuse' || m.type.startsWith('fuse.')));
  return found[found.length - 1] ?? null;
}

/**
 * What is at `dir`: no FUSE mount, a stale one (its process is gone: ENOTCONN)
 * or a live one. The liveness check is an asynchronous stat (on libuv's
 * thread pool, never the event loop) with a deadline; a mount that does not
 * answer within `timeoutMs` counts as stale.
 */
export async function fuseMountState(dir: string, timeoutMs = 2000): Promise<'none' | 'stale' | 'live'> {
  if (!(await fuseMountAt(dir))) return 'none';
  const answer = await Promise.race([
    stat(resolve(dir)).then(
      () => 'live' as const,
      (e: NodeJS.ErrnoException) => (e.code === 'ENOTCONN' || e.code === 'ECONNABORTED' ? ('stale' as const) : ('live' as const)),
    ),
    new Promise<'stale'>((res) => setTimeout(() => res('stale'), timeoutMs).unref()),
  ]);
  return answer;
}

function run(cmd: string, args: string[]): Promise<boolean> {
  return new Promise((res) => {
    execFile(cmd, args, { timeout: 10_000 }, (err) => res(!err));
  });
}

/**
 * Remove a FUSE mount left at `dir` by a supervisor that died (a mount whose
 * process is gone answers ENOTCONN to every access). Lazily unmounts with
 * `fusermount -u -z`, falling back to `fusermount3` and, for root, `umount -l`.
 * Never stats `dir` itself (that would hang on some broken mounts): it only
 * reads the mount table. Returns true when a mount was found and removed,
 * false when there was none; throws when one is there and stays.
 *
 * The supervisor calls it for the default mount point during predecessor
 * cleanup; the file view plugin calls it again before mounting.
 */
export async function cleanupStaleMount(dir: string): Promise<boolean> {
  const abs = resolve(dir);
  if (!(await fuseMountAt(abs))) return false;
  for (const [cmd, args] of [
    ['fusermount', ['-u', '-z', abs]],
    ['fusermount3', ['-u', '-z', abs]],
    ['umount', ['-l', abs]],
  ] as const) {
    if ((await run(cmd, [...args])) && !(await fuseMountAt(abs))) return true;
  }
  if (!(await fuseMountAt(abs))) return true;
  throw new Error(`a stale FUSE mount at ${abs} cannot be removed (try: fusermount -u -z ${abs})`);
}
