import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `code: message` of a filesystem error, on one line. */
export function fsErrorText(error: unknown): string {
  return error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
}

/** Write one value to a cgroup control file (one write, like `echo`). */
export async function writeControl(dir: string, file: string, value: string | number): Promise<void> {
  await writeFile(join(dir, file), `${value}\n`, { flag: 'w' });
}

/**
 * {@link writeControl} without a trip through the thread pool: cgroupfs
 * writes are in-kernel bookkeeping that never block on a disk, and a unit's
 * cgroup is made on the path of its spawn.
 */
export function writeControlSync(dir: string, file: string, value: string | number): void {
  writeFileSync(join(dir, file), `${value}\n`, { flag: 'w' });
}

/** Write a control file if the kernel offers it; errors are ignored (optional knobs such as swap limits). */
export function writeOptionalControl(dir: string, file: string, value: string | number): Promise<void> {
  if (!existsSync(join(dir, file))) return Promise.resolve();
  try {
    writeControlSync(dir, file, value);
  } catch {
    // optional
  }
  return Promise.resolve();
}

/** The pids listed in `dir/cgroup.procs`; empty when the cgroup does not exist. */
export async function readProcs(dir: string): Promise<number[]> {
  try {
    const text = await readFile(join(dir, 'cgroup.procs'), 'utf8');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** A counter such as `oom_kill 3` from a flat-keyed cgroup file; 0 when absent. */
export async function readKey(dir: string, file: string, key: string): Promise<number> {
  try {
    const text = await readFile(join(dir, file), 'utf8');
    const match = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** `mkdir -p` for cgroup directories. */
export async function makeDirs(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

/** `mkdir -p` for cgroup directories, synchronously (see {@link writeControlSync}). */
export function makeDirsSync(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

/**
 * Remove a cgroup directory and the cgroups below it, deepest first (cgroup
 * directories are removed with rmdir; their control files go with them).
 * Missing directories are fine; a cgroup that still has processes throws EBUSY.
 */
export async function removeCgroupTree(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) if (entry.isDirectory()) await removeCgroupTree(join(dir, entry.name));
  try {
    await rmdir(dir);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
  }
}

/** rmdir that ignores every error (used for shared parents that may still be in use). */
export async function tryRemoveDir(dir: string): Promise<void> {
  try {
    await rmdir(dir);
  } catch {
    // busy (another unit or instance) or gone
  }
}
