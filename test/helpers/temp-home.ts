import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimePaths, type RuntimePaths } from '../../src/supervisor/runtime-dir.js';
import { killPids, pidsWithEnv } from './processes.js';

/** A fresh temp dir with runtime/state homes and an ensemble file path inside it. */
export interface TempHome {
  readonly dir: string;
  /** ENSEMBLE_RUNTIME_HOME and ENSEMBLE_STATE_HOME for a supervisor of this test. */
  readonly env: { ENSEMBLE_RUNTIME_HOME: string; ENSEMBLE_STATE_HOME: string };
  /** `<dir>/system.ensemble` (not created unless written). */
  readonly file: string;
  readonly paths: RuntimePaths;
  write(name: string, text: string): string;
  /** Kill every process still carrying this home's supervisor address, then remove the dir. */
  cleanup(): void;
}

/** Make a {@link TempHome}; short paths keep notify sockets under the AF_UNIX limit. */
export function makeTempHome(): TempHome {
  const dir = mkdtempSync(join(tmpdir(), 'ens-'));
  const env = { ENSEMBLE_RUNTIME_HOME: join(dir, 'run'), ENSEMBLE_STATE_HOME: join(dir, 'state') };
  const file = join(dir, 'system.ensemble');
  const paths = runtimePaths(file, env);
  return {
    dir,
    env,
    file,
    paths,
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    cleanup() {
      killPids(pidsWithEnv(`ENSEMBLE_SUPERVISOR=${paths.apiAddress}`));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
