import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { UnitMessage } from '../../src/api/supervisor-messages.js';
import { runCli } from './run-cli.js';
import type { TempHome } from './temp-home.js';

/** A live process of some unit of one supervisor, as /proc shows it. */
export interface UnitProc {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** Its `ENSEMBLE_UNIT`. */
  readonly unit: string;
  /**
   * Which start of the unit it belongs to: a digest of the per-start
   * `ENSEMBLE_TOKEN` it inherited (never the token itself). Every process a
   * start forked carries it, also one that left the process group.
   */
  readonly instance: string;
  readonly argv: readonly string[];
}

function stat(pid: string): { state: string; ppid: number; pgid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', ppid: Number(fields[1]), pgid: Number(fields[2]) };
  } catch {
    return null;
  }
}

/**
 * Every live (not zombie) process carrying `ENSEMBLE_SUPERVISOR=<apiAddress>`
 * and an `ENSEMBLE_UNIT`: the units of the supervisor(s) of one home, their
 * children and anything they left behind, found through /proc alone.
 */
export function unitProcs(apiAddress: string): UnitProc[] {
  const marker = `ENSEMBLE_SUPERVISOR=${apiAddress}`;
  const found: UnitProc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let env: string[];
    let argv: string[];
    try {
      env = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      if (!env.includes(marker)) continue;
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue; // gone, or not ours to read
    }
    const unit = env.find((e) => e.startsWith('ENSEMBLE_UNIT='))?.slice('ENSEMBLE_UNIT='.length);
    const s = stat(name);
    if (unit === undefined || !s || s.state === 'Z' || s.state === 'X') continue;
    const token = env.find((e) => e.startsWith('ENSEMBLE_TOKEN='));
    const instance = token ? createHash('sha256').update(token).digest('hex').slice(0, 12) : `pgid:${s.pgid}`;
    found.push({ pid: Number(name), ppid: s.ppid, pgid: s.pgid, unit, instance, argv });
  }
  return found;
}

/** `supervisor ps --json` of `home` through the real CLI (from source); rejects with its stderr on failure. */
export async function psJson(home: TempHome, timeoutMs = 60_000): Promise<UnitMessage[]> {
  const r = await runCli(['ps', '--json'], { home, timeoutMs });
  if (r.code !== 0) throw new Error(`ps --json failed (exit ${r.code}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as UnitMessage[];
}

/** States in which a unit has a process (src/supervisor/lifecycle/unit-transitions.ts). */
const WITH_PROCESS = new Set(['starting', 'ready', 'degraded', 'stopping']);

/**
 * Where a supervisor's JSON log shows a unit started a process while its
 * previous one had not ended: for each unit, every `started, pid N` must be
 * preceded by a state change out of the process states (`stopped`, `backoff`,
 * `failed`, `crashloop`) since the previous one. Unit objects are not told
 * apart (a reload replaces them): this is "one instance per unit name at
 * every moment", as the supervisor itself reports it.
 */
export function overlappingStarts(records: readonly { unit?: string; event?: string; msg?: string; from?: unknown; state?: string }[]): string[] {
  const live = new Map<string, string>();
  const problems: string[] = [];
  for (const r of records) {
    if (typeof r.unit !== 'string') continue;
    if (r.event === 'update' && typeof r.msg === 'string' && r.msg.startsWith('started, pid ')) {
      const previous = live.get(r.unit);
      if (previous) problems.push(`${r.unit}: ${r.msg} while ${previous} had not ended`);
      live.set(r.unit, r.msg.slice('started, '.length));
    } else if (r.event === 'state' && typeof r.from === 'string' && WITH_PROCESS.has(r.from) && r.state !== undefined && !WITH_PROCESS.has(r.state)) {
      live.delete(r.unit);
    }
  }
  return problems;
}
