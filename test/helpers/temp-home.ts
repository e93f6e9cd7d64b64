import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimePaths, type RuntimePaths } from '../../src/common/runtime-dir.js';
import { killPids, pidsWithEnvPrefix } from './processes.js';

/** A fresh temp dir with runtime/state homes and an ensemble file path inside it. */
export interface TempHome {
  readonly dir: string;
  /** ENSEMBLE_RUNTIME_HOME and ENSEMBLE_STATE_HOME for a supervisor of this test. */
  readonly env: { ENSEMBLE_RUNTIME_HOME: string; ENSEMBLE_STATE_HOME: string };
  /** `<dir>/system.ensemble` (not created unless written). */
  readonly file: string;
  readonly paths: RuntimePaths;
  write(name: string, text: string): string;
  /** The same home, with `paths` of a supervisor run as `--node node` (docs/lifecycle.md "Runtime directory"). */
  forNode(node: string): TempHome;
  /** Kill every process still carrying a supervisor address of this home (any node), then remove the dir. */
  cleanup(): void;
}

/** Make a {@link TempHome}; short paths keep notify sockets under the AF_UNIX limit. */
export function makeTempHome(): TempHome {
  const dir = mkdtempSync(join(tmpdir(), 'ens-'));
  const env = { ENSEMBLE_RUNTIME_HOME: join(dir, 'run'), ENSEMBLE_STATE_HOME: join(dir, 'state') };
  const file = join(dir, 'system.ensemble');
  const home = (paths: RuntimePaths): TempHome => ({
    dir,
    env,
    file,
    paths,
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    forNode(node) {
      return home(runtimePaths(file, env, node));
    },
    cleanup() {
      killPids(pidsWithEnvPrefix(`ENSEMBLE_SUPERVISOR=unix:${env.ENSEMBLE_RUNTIME_HOME}/`));
      rmSync(dir, { recursive: true, force: true });
    },
  });
  return home(runtimePaths(file, env));
}

/** A plain scratch directory (no supervisor inside): fixtures, sockets, files a test writes. */
export interface TempDir {
  readonly dir: string;
  /** Remove the directory and everything in it (idempotent). */
  cleanup(): void;
}

/** Make a {@link TempDir} under the system temp dir; `prefix` names it for a reader of /tmp. */
export function makeTempDir(prefix = 'ens-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
