import { spawn } from 'node:child_process';

/** Limits and environment of one script run. */
export interface RunOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly timeoutMs: number;
  /** Bytes kept per stream; the rest is dropped and `truncated` set. */
  readonly maxOutput: number;
}

/** What a run produced. */
export interface RunResult {
  /** Exit code, or null when killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly truncated: boolean;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/**
 * Run `script` with `bash -s` (the script on stdin, no arguments), in its own
 * process group so a timeout (SIGKILL to the group) also ends what it started.
 */
export function runScript(script: string, options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('bash', ['-s'], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let truncated = false;
    let timedOut = false;
    const keep = (chunks: Buffer[], size: number, data: Buffer): number => {
      const room = options.maxOutput - size;
      if (room <= 0) {
        truncated = true;
        return size;
      }
      if (data.length > room) truncated = true;
      chunks.push(data.subarray(0, room));
      return size + Math.min(room, data.length);
    };
    child.stdout.on('data', (d: Buffer) => (outBytes = keep(out, outBytes, d)));
    child.stderr.on('data', (d: Buffer) => (errBytes = keep(err, errBytes, d)));
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ exitCode: 127, signal: null, stdout: '', stderr: `cannot run bash: ${e.message}\n`, truncated: false, timedOut: false, durationMs: Date.now() - started });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      killGroup(); // leftovers of the script's background jobs
      resolve({
        exitCode: code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        truncated,
        timedOut,
        durationMs: Date.now() - started,
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(script);
  });
}
