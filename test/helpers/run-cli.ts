import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, TSX_LOADER } from './supervisor-child.js';
import type { TempHome } from './temp-home.js';

/** What one `supervisor ARGS…` invocation left behind. */
export interface CliResult {
  /** The exit code; 1 when the process was killed or could not start. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runCli}. */
export interface CliOptions {
  /**
   * The homes of this supervisor: ENSEMBLE_RUNTIME_HOME / ENSEMBLE_STATE_HOME come from it,
   * ENSEMBLE_SUPERVISOR and ENSEMBLE_NODE are cleared (a test never reaches the developer's
   * supervisor), and it is the working directory unless `cwd` says otherwise.
   */
  readonly home?: TempHome;
  /** Working directory; the home's dir by default, else the test's own. */
  readonly cwd?: string;
  /** Added to (and overriding) the environment, after the home's. */
  readonly env?: NodeJS.ProcessEnv;
  /** `source` runs src/cli/main.ts under tsx (the default); `dist` the built dist/src/cli/main.js (rebuild first). */
  readonly from?: 'source' | 'dist';
  /** Generous by default: the test machine is small and shared. */
  readonly timeoutMs?: number;
  /** Largest stdout/stderr kept, in bytes (Node's default is 1 MiB). */
  readonly maxBuffer?: number;
}

/** Run the real CLI, `supervisor ARGS…`, to its exit; never rejects. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const argv =
    options.from === 'dist' ? [join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), ...args] : ['--import', TSX_LOADER, join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...args];
  const homeEnv = options.home ? { ...options.home.env, ENSEMBLE_SUPERVISOR: '', ENSEMBLE_NODE: '' } : {};
  return new Promise((done) => {
    execFile(
      process.execPath,
      argv,
      {
        cwd: options.cwd ?? options.home?.dir,
        env: { ...process.env, ...homeEnv, ...options.env },
        timeout: options.timeoutMs ?? 120_000,
        ...(options.maxBuffer === undefined ? {} : { maxBuffer: options.maxBuffer }),
      },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
