import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UnitSpec } from '../../src/ensemble/plan.js';
import { makePlan } from './make-unit-spec.js';
import { isAlive } from './processes.js';
import type { TempHome } from './temp-home.js';
import { waitFor } from './wait-for.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const REPO_ROOT = dirname(dirname(here));
/** Absolute URL of the tsx loader, so children find it whatever their working directory. */
export const TSX_LOADER = import.meta.resolve('tsx');

/** A log record of the supervisor (pino JSON). */
export type LogRecord = Record<string, unknown> & { msg?: string; unit?: string; event?: string; state?: string; unitPid?: number };

/** A `supervisor run` child process, its parsed JSON log and its exit. */
export interface SupervisorChild {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly records: LogRecord[];
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Wait for a log record matching `predicate`. */
  waitRecord(what: string, predicate: (r: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  /** The states `unit` went through, in order. */
  transitions(unit: string): string[];
  /** Every unit pid the supervisor reported. */
  unitPids(): number[];
  /** SIGKILL the child if it is still alive. */
  kill(): void;
}

/** Start `node --import tsx SCRIPT ARGS…` with the homes of `home` and parse its JSON log. */
export function spawnSupervisor(script: string, args: string[], home: TempHome, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SupervisorChild {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, script, ...args], {
    cwd: options.cwd ?? home.dir,
    env: { ...process.env, ...home.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const records: LogRecord[] = [];
  let partial = '';
  let err = '';
  child.stdout?.on('data', (buf: Buffer) => {
    const lines = (partial + buf.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        records.push(JSON.parse(line) as LogRecord);
      } catch {
        records.push({ msg: line, raw: true });
      }
    }
  });
  child.stderr?.on('data', (buf: Buffer) => (err += buf.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    process: child,
    pid: child.pid as number,
    records,
    stderr: () => err,
    exited,
    waitRecord(what, predicate, timeoutMs = 60_000) {
      return waitFor(what, () => records.find(predicate) ?? null, { timeoutMs });
    },
    transitions(unit) {
      return records.filter((r) => r.unit === unit && r.event === 'state').map((r) => String(r.state));
    },
    unitPids() {
      return [...new Set(records.map((r) => r.unitPid).filter((p): p is number => typeof p === 'number'))];
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null && isAlive(child.pid as number)) child.kill('SIGKILL');
    },
  };
}

/** Run a supervisor child over a plan of `units` (written as JSON into the home). */
export function spawnPlanSupervisor(home: TempHome, units: UnitSpec[]): SupervisorChild {
  const planFile = join(home.dir, 'plan.json');
  writeFileSync(planFile, JSON.stringify(makePlan(home.file, units)));
  return spawnSupervisor(join(here, 'run-plan-main.ts'), [planFile], home);
}

/** Run the real CLI: `supervisor ARGS…`. */
export function spawnCli(home: TempHome, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SupervisorChild {
  return spawnSupervisor(join(REPO_ROOT, 'src', 'cli', 'main.ts'), args, home, options);
}
