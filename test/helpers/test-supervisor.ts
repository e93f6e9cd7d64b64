import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { UnitSpec } from '../../src/ensemble/plan.js';
import type { HealthServices } from '../../src/supervisor/health-services.js';
import type { LaunchOptions } from '../../src/supervisor/process/launch-command.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { LogLine, UnitState, UnitStatus } from '../../src/supervisor/lifecycle/unit-state.js';
import { makePlan } from './make-unit-spec.js';
import { makeTempHome, type TempHome } from './temp-home.js';
import { waitFor } from './wait-for.js';

/** An in-process supervisor over real unit processes, with everything it did recorded. */
export interface TestSupervisor {
  readonly supervisor: Supervisor;
  readonly home: TempHome;
  /** Every unit status change, in order. */
  readonly events: UnitStatus[];
  /** Every captured log line (all units, all streams). */
  readonly lines: LogLine[];
  /** The pino output, parsed. */
  readonly logRecords: Record<string, unknown>[];
  /** Wait until `unit` is in `state` (or any of them); returns its status. */
  waitState(unit: string, state: UnitState | UnitState[], timeoutMs?: number): Promise<UnitStatus>;
  /** Wait until the status of `unit` satisfies `predicate`. */
  waitUnit(unit: string, what: string, predicate: (s: UnitStatus) => boolean, timeoutMs?: number): Promise<UnitStatus>;
  /** The states `unit` went through, in order (from the supervisor's state-change log records). */
  transitions(unit: string): UnitState[];
  /** Index in {@link events} of the first time `unit` entered `state` (-1 if never). */
  firstEvent(unit: string, state: UnitState): number;
  /** Shut down (idempotent) and remove the temp home, killing anything left. */
  close(): Promise<void>;
}

/** Options of {@link startTestSupervisor}. */
export interface TestSupervisorOptions {
  readonly health?: HealthServices | null;
  readonly ringLines?: number;
  readonly start?: boolean;
  readonly launch?: LaunchOptions;
  readonly sampleIntervalMs?: number;
}

/** Build and start a {@link Supervisor} for `units` in a fresh temp home. */
export function startTestSupervisor(units: UnitSpec[], options: TestSupervisorOptions = {}): TestSupervisor {
  const home = makeTempHome();
  const logRecords: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logRecords.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const supervisor = new Supervisor({
    plan: makePlan(home.file, units),
    paths: home.paths,
    logger: pino({ level: 'info' }, sink),
    health: options.health ?? null,
    ringLines: options.ringLines,
    launch: options.launch,
    sampleIntervalMs: options.sampleIntervalMs,
  });
  const events: UnitStatus[] = [];
  const lines: LogLine[] = [];
  supervisor.onUnitChange((s) => events.push(s));
  supervisor.subscribeLogs(null, (l) => lines.push(l));
  if (options.start ?? true) supervisor.start();
  let closed = false;
  return {
    supervisor,
    home,
    events,
    lines,
    logRecords,
    waitState(unit, state, timeoutMs = 30_000) {
      const states = Array.isArray(state) ? state : [state];
      return waitFor(`${unit} to be ${states.join('|')}`, () => {
        const s = supervisor.getUnit(unit);
        return states.includes(s.state) ? s : null;
      }, { timeoutMs });
    },
    waitUnit(unit, what, predicate, timeoutMs = 30_000) {
      return waitFor(`${unit}: ${what}`, () => {
        const s = supervisor.getUnit(unit);
        return predicate(s) ? s : null;
      }, { timeoutMs });
    },
    transitions(unit) {
      return logRecords.filter((r) => r.unit === unit && r.event === 'state').map((r) => r.state as UnitState);
    },
    firstEvent(unit, state) {
      return events.findIndex((e) => e.name === unit && e.state === state);
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await Promise.race([supervisor.shutdown(), new Promise((r) => setTimeout(r, 20_000))]);
      } finally {
        home.cleanup();
      }
    },
  };
}
