import { Writable } from 'node:stream';
import { pino } from 'pino';
import { SupervisorClient } from '../../src/api/supervisor-client.js';
import { runSystem } from '../../src/system/run-system.js';
import type { Supervisor } from '../../src/supervisor/supervisor.js';
import { fixture } from './make-unit-spec.js';
import { makeTempHome, type TempHome } from './temp-home.js';
import { waitFor } from './wait-for.js';

/** A real supervisor (runSystem with the real API plugin) over real unit processes. */
export interface RunningSystem {
  readonly home: TempHome;
  readonly supervisor: Supervisor;
  /** The operator client, over the real Unix socket. */
  readonly client: SupervisorClient;
  /** Resolves with runSystem's exit code once it returned. */
  readonly finished: Promise<number>;
  /** Shut down (idempotent), kill leftovers, remove the temp home. */
  close(): Promise<void>;
}

/** A runner line for an SDK fixture: `runner NAME "<abs fixture>" { readiness: notify … }`. */
export function sdkRunner(name: string, file: string, body = ''): string {
  return `runner ${name} "${fixture(file)}" {\n  readiness: notify\n  ${body}\n}\n`;
}

/** Write `ensemble` as system.ensemble in a fresh temp home and run it until every unit is ready. */
export async function startSystem(ensemble: string, options: { waitReady?: boolean } = {}): Promise<RunningSystem> {
  const home = makeTempHome();
  home.write('system.ensemble', ensemble);
  const sink = new Writable({ write: (_c, _e, done) => done() });
  let supervisor: Supervisor | null = null;
  const finished = runSystem(
    { file: home.file, fs: false, env: { ...process.env, ...home.env } },
    { handleSignals: false, logger: pino({ level: 'warn' }, sink), onStarted: (s) => (supervisor = s) },
  );
  let failed: unknown = null;
  finished.catch((e: unknown) => (failed = e));
  const started = await waitFor('the supervisor to start', () => {
    if (failed) throw failed;
    return supervisor;
  });
  const client = new SupervisorClient({ address: home.paths.apiAddress, how: 'from the test' });
  let closed = false;
  const system: RunningSystem = {
    home,
    supervisor: started,
    client,
    finished,
    async close() {
      if (closed) return;
      closed = true;
      client.close();
      try {
        await Promise.race([started.shutdown().then(() => finished), new Promise((r) => setTimeout(r, 30_000))]);
      } catch {
        // already stopped
      } finally {
        home.cleanup();
      }
    },
  };
  if (options.waitReady ?? true) {
    try {
      await waitFor('every unit to be ready', () => {
        const units = started.listUnits();
        const bad = units.find((u) => u.state === 'failed' || u.state === 'crashloop');
        if (bad) throw new Error(`unit ${bad.name} is ${bad.state}: ${bad.error}`);
        return units.every((u) => u.state === 'ready');
      }, { timeoutMs: 45_000 });
    } catch (e) {
      await system.close();
      throw e;
    }
  }
  return system;
}

/** Wait until a log line of `unit` matches `pattern`; returns the match. */
export function waitLogLine(sys: RunningSystem, unit: string, pattern: RegExp, after = 0): Promise<RegExpMatchArray> {
  return waitFor(`a log line of ${unit} matching ${pattern}`, () => {
    for (const l of sys.supervisor.tailLogs(unit, 100_000)) {
      if (l.time < after) continue;
      const m = pattern.exec(l.line);
      if (m) return m;
    }
    return null;
  }, { timeoutMs: 45_000 });
}
