import { EnsembleError, StateError } from '../common/errors.js';
import { resolveSupervisorTarget, type SupervisorTarget } from '../api/client-address.js';
import { formatPsTable } from './client-format.js';
import { SupervisorClient } from '../api/supervisor-client.js';
import type { LogLineMessage, UnitMessage } from '../api/supervisor-messages.js';

/** Options every client verb takes. */
export interface ClientOptions {
  /** `--supervisor ADDR`. */
  readonly supervisor?: string;
}

/** Where verbs write: src/cli/stdio-output.ts passes the process's streams, tests may pass their own. */
export interface VerbOutput {
  /** False (like a stream's `write`) when the output is full; {@link drained} then says when it is not. */
  out(text: string): void | boolean;
  err(text: string): void | boolean;
  /** Resolves when the output took what it buffered (after `out` or `err` returned false). */
  drained?(): Promise<void>;
}

/** Runs `fn` with a client of the supervisor `--supervisor` names (else the one of this directory), closed afterwards. */
export async function withClient<C extends { close(): void }, T>(opts: ClientOptions, make: (target: SupervisorTarget) => C, fn: (c: C) => Promise<T>): Promise<T> {
  const client = make(resolveSupervisorTarget(opts.supervisor));
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/** `supervisor ps [--json]`. */
export function psVerb(opts: ClientOptions & { json?: boolean }, io: VerbOutput): Promise<number> {
  return withClient(opts, supervisorClient, async (c) => {
    const units = await c.listUnits();
    io.out(opts.json ? `${JSON.stringify(units, null, 2)}\n` : `${formatPsTable(units)}\n`);
    return 0;
  });
}

const supervisorClient = (target: SupervisorTarget): SupervisorClient => new SupervisorClient(target);

/** States that mean a start/restart did not bring the unit up. */
const NOT_UP = new Set(['failed', 'crashloop', 'backoff', 'stopped']);

/**
 * What `start|stop|restart` prints for the unit as it now is (`name: state (pid N)`, `name` may be `NODE/UNIT`);
 * a start or restart that did not bring it up throws instead (exit 1, with the unit's error).
 */
export function controlOutcome(verb: 'start' | 'stop' | 'restart', name: string, u: UnitMessage): string {
  const text = `${name}: ${u.state}${u.pid === undefined ? '' : ` (pid ${u.pid})`}`;
  if (verb !== 'stop' && NOT_UP.has(u.state)) throw new StateError(`${text}${u.error ? `: ${u.error}` : ''}`);
  return `${text}\n`;
}

/** Writes one log line: the unit's stdout to `out`, its stderr and the supervisor's own lines (`[supervisor] …`) to `err`. */
export function writeLogLine(io: VerbOutput, l: LogLineMessage): void | boolean {
  if (l.stream === 'stdout') return io.out(`${l.line}\n`);
  if (l.stream === 'stderr') return io.err(`${l.line}\n`);
  return io.err(`[supervisor] ${l.line}\n`);
}

/** Waits until a log stream ends; SIGINT or SIGTERM cancels it (how `logs -f` stops). */
export async function untilDone(handle: { cancel(): void; readonly done: Promise<unknown> }): Promise<void> {
  const stop = () => handle.cancel();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await handle.done;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** `supervisor start|stop|restart UNIT`: exit 1 when the unit did not come up. */
export function controlVerb(verb: 'start' | 'stop' | 'restart', unit: string, opts: ClientOptions, io: VerbOutput): Promise<number> {
  return withClient(opts, supervisorClient, async (c) => {
    const u = await c.control(verb, unit);
    io.out(controlOutcome(verb, u.name, u));
    return 0;
  });
}

/** `supervisor logs UNIT [-f] [-n N]`: stdout lines to stdout, stderr and supervisor lines to stderr. */
export function logsVerb(unit: string, opts: ClientOptions & { follow?: boolean; lines?: number }, io: VerbOutput): Promise<number> {
  return withClient(opts, supervisorClient, async (c) => {
    // A full stdout pauses the stream (followStream): the supervisor then drops lines for us and says how many.
    const write = (l: LogLineMessage): Promise<void> | undefined => (writeLogLine(io, l) === false && io.drained ? io.drained() : undefined);
    await untilDone(c.logs({ unit, follow: opts.follow === true, ...(opts.lines === undefined ? {} : { tail: opts.lines }) }, write));
    return 0;
  });
}

/** `supervisor find SERVICE [--json]`: the address (or the whole record). */
export function findVerb(name: string, opts: ClientOptions & { json?: boolean }, io: VerbOutput): Promise<number> {
  return withClient(opts, supervisorClient, async (c) => {
    const s = await c.find(name);
    io.out(opts.json ? `${JSON.stringify(s, null, 2)}\n` : `${s.address}\n`);
    return 0;
  });
}

/** `supervisor shutdown [--no-wait]`: asks the supervisor to stop, then waits until it is gone. */
export function shutdownVerb(opts: ClientOptions & { wait?: boolean }, io: VerbOutput): Promise<number> {
  return withClient(opts, supervisorClient, async (c) => {
    await c.shutdown();
    if (opts.wait !== false) await c.waitGone();
    io.out(opts.wait !== false ? 'supervisor stopped\n' : 'supervisor stopping\n');
    return 0;
  });
}

/** Parse `-n N`: a whole number ≥ 0. */
export function parseLineCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new EnsembleError('ENS_E_INVALID_ARGUMENT', `-n expects a whole number of lines, got "${value}"`);
  return n;
}
