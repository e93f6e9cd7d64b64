import { redactSecrets } from '../../ensemble/active-secrets.js';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { LogSpec } from '../../ensemble/plan.js';
import type { LogLine } from './log-line.js';
import { RingBuffer } from './ring-buffer.js';
import { RotatingLogFile } from './rotating-log-file.js';

/** Lines kept in memory per unit for `tailLogs` (`supervisor logs UNIT -n N`). */
export const DEFAULT_RING_LINES = 1000;

type Listener = (line: LogLine) => void;

interface UnitLog {
  readonly ring: RingBuffer<LogLine>;
  readonly file: RotatingLogFile;
}

/**
 * Where every captured line goes: the unit's in-memory ring buffer, its
 * rotating log file `<logDir>/<unit>.log`, the supervisor's pino logger
 * (tagged `unit` and `stream`) and any live subscribers.
 *
 * Lines the supervisor itself writes about a unit (started, exited, restarting)
 * use the stream `supervisor`, so `supervisor logs UNIT` tells the whole story.
 */
export class LogHub {
  private readonly units = new Map<string, UnitLog>();
  private readonly listeners = new Map<string | null, Set<Listener>>();

  constructor(
    private readonly logDir: string,
    readonly logger: Logger,
    private readonly ringLines: number = DEFAULT_RING_LINES,
  ) {}

  /** Start keeping logs for `unit` (idempotent; a new spec applies from the next rotation). */
  open(unit: string, spec: LogSpec): void {
    if (this.units.has(unit)) return;
    const path = join(this.logDir, `${unit}.log`);
    const file = new RotatingLogFile(path, spec, {
      suspended: (e) => this.logger.warn({ unit, err: e.message, file: path }, `cannot write ${path}: ${e.message}; logging to file is suspended for this unit (retrying)`),
      resumed: (dropped) => this.logger.info({ unit, dropped, file: path }, `logging to file resumed for this unit (${dropped} lines were not written to ${path})`),
    });
    this.units.set(unit, { ring: new RingBuffer(this.ringLines), file });
  }

  /** Stop keeping logs for `unit` (the file stays on disk). */
  close(unit: string): void {
    this.units.get(unit)?.file.close();
    this.units.delete(unit);
  }

  closeAll(): void {
    for (const unit of [...this.units.keys()]) this.close(unit);
  }

  /** A line the unit printed. */
  unitLine(unit: string, stream: 'stdout' | 'stderr', line: string): void {
    this.logger.info({ unit, stream }, line);
    this.record({ unit, stream, line, time: Date.now() });
  }

  /**
   * A message of the supervisor about `unit`: logged through pino at `level`
   * with `fields`, and kept with the unit's own lines.
   */
  supervisorLine(unit: string, level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}): void {
    this.logger[level]({ unit, ...fields }, message);
    // Kept (ring, log file) with the running plan's secret values masked (docs/language.md "Secrets").
    this.record({ unit, stream: 'supervisor', line: redactSecrets(message), time: Date.now() });
  }

  tail(unit: string, n: number): LogLine[] {
    return this.units.get(unit)?.ring.last(n) ?? [];
  }

  /** Follow the lines of `unit`, or of every unit when `unit` is null. */
  subscribe(unit: string | null, listener: Listener): () => void {
    let set = this.listeners.get(unit);
    if (!set) this.listeners.set(unit, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  private record(line: LogLine): void {
    const log = this.units.get(line.unit);
    if (log) {
      log.ring.push(line);
      log.file.write(`${new Date(line.time).toISOString()} ${line.stream} ${line.line}\n`);
    }
    for (const key of [line.unit, null]) {
      const set = this.listeners.get(key);
      if (!set) continue;
      for (const listener of [...set]) {
        try {
          listener(line);
        } catch (e) {
          this.logger.warn({ unit: line.unit, err: (e as Error).message }, 'a log subscriber failed');
        }
      }
    }
  }
}
