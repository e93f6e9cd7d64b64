import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../proc.js';
import { sleep } from '../process-tracker.js';
import type { PeerEnv } from './peer.js';

/** A supervisor the harness runs in the foreground as its own child. */
export interface ForegroundProcess {
  readonly pid: number;
  /** The process's output (stdout and stderr), for error messages. */
  readonly logFile: string;
  exited(): boolean;
  /** Undefined while running; otherwise the exit status and the last line it printed. */
  exitReason(): string | undefined;
  /** Send a signal to the supervisor (by pid). */
  signal(sig: NodeJS.Signals): void;
  /** Wait up to `ms` for the process to exit; true when it did. */
  waitExit(ms: number): Promise<boolean>;
  /** SIGTERM, wait up to `graceMs`, then SIGKILL to the process and its process group. */
  terminate(graceMs: number): Promise<void>;
}

/** Spawn `command` in its own process group with output to `<dir>/<name>.out`. */
export function startForeground(
  name: string,
  command: string,
  args: readonly string[],
  env: PeerEnv,
  extraEnv: Record<string, string> = {},
  cwd = env.dir,
): ForegroundProcess {
  const logFile = join(env.dir, `${name}.out`);
  const fd = openSync(logFile, 'a');
  const child = env.tracker.spawn(command, args, {
    cwd,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...extraEnv },
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: cannot spawn ${command}`);
  const pid = child.pid;
  let status: string | undefined;
  child.on('error', (err) => {
    status = err.message;
  });
  child.on('exit', (code, sig) => {
    // The most telling line: an error line if there is one (Node's crash trailer names only its version).
    const lines = safeRead(logFile).split('\n').map((l) => l.trim()).filter((l) => l && !/^Node\.js v/.test(l));
    const last = [...lines].reverse().find((l) => /error/i.test(l)) ?? lines[lines.length - 1] ?? '';
    status = `${name} exited (${sig ?? `code ${code}`})${last ? `: ${last.slice(0, 300)}` : ''}`;
  });
  const exited = (): boolean => status !== undefined;
  const waitExit = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (!exited() && Date.now() < deadline) await sleep(10);
    return exited();
  };
  return {
    pid,
    logFile,
    exited,
    exitReason: () => status,
    signal: (sig) => {
      if (!exited()) process.kill(pid, sig);
    },
    waitExit,
    terminate: async (graceMs) => {
      if (!exited()) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // gone
        }
        if (await waitExit(graceMs)) return;
      }
      for (const target of [pid, -pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // gone
        }
      }
      const deadline = Date.now() + 5000;
      while (isAlive(pid) && Date.now() < deadline) await sleep(10);
    },
  };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
