import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real, small tmpfs mount for disk-fault tests (needs root; `unmount()` in a finally/afterEach). */
export interface Tmpfs {
  readonly dir: string;
  /** Fill the file system with `<dir>/.filler` until ENOSPC, down to the last byte. */
  fill(): void;
  /** Remove the filler: space returns. */
  free(): void;
  /** `mount -o remount,ro` (or back to rw). */
  remount(mode: 'ro' | 'rw'): void;
  /** Unmount (lazily if busy) and remove the mount point; safe to call twice. */
  unmount(): void;
}

function run(args: string[]): void {
  const r = spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
}

/** Mount a tmpfs of `size` (e.g. "1m") on a fresh temp directory. */
export function mountTmpfs(size = '1m'): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'ens-tmpfs-'));
  run(['mount', '-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);
  let mounted = true;
  const filler = join(dir, '.filler');
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      try {
        for (let chunk = 64 * 1024; chunk >= 1; chunk = Math.floor(chunk / 2)) {
          const buffer = Buffer.alloc(chunk, 0x61);
          for (;;) {
            try {
              writeSync(fd, buffer);
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw e;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    remount(mode) {
      run(['mount', '-o', `remount,${mode}`, dir]);
    },
    unmount() {
      if (mounted) {
        const r = spawnSync('umount', [dir], { timeout: 30_000 });
        if (r.status !== 0) spawnSync('umount', ['-l', dir], { timeout: 30_000 });
        mounted = false;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
