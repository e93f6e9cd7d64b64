import type * as grpc from '@grpc/grpc-js';
import { clientCallError } from '../wire/client-call-error.js';
import type { ServiceMessage } from '../wire/discovery-messages.js';
import type { SupervisorTarget } from './client-address.js';
import { Caller } from '../wire/call.js';
import { clientsOnOneChannel } from '../wire/channel.js';
import { loadProtos } from '../wire/protos.js';
import type { StreamHandle } from '../wire/stream-handle.js';
import type { ReloadResult } from '../supervisor/lifecycle/control.js';
import { fromReloadMessage, type ReloadMessage } from './reload-messages.js';
import type { LogLineMessage, StatusMessage, UnitMessage } from './supervisor-messages.js';

export type { StreamHandle } from '../wire/stream-handle.js';

/**
 * The operator's client of a supervisor API (used by the CLI verbs and tests):
 * promise-returning calls whose errors are EnsembleErrors. A supervisor that
 * cannot be reached gives an UnreachableError naming the address and how it
 * was chosen (CLI exit code 2).
 */
export class SupervisorClient {
  private readonly supervisor: grpc.Client;
  private readonly discovery: grpc.Client;
  private readonly health: grpc.Client;
  /** Quick calls have a 30 s deadline; a transport failure is an UnreachableError naming the address. */
  private readonly caller: Caller;

  /** A client of the supervisor at `target` (see `resolveSupervisorTarget`); no call is made yet. */
  constructor(readonly target: SupervisorTarget) {
    const { Supervisor, Discovery, Health } = loadProtos();
    [this.supervisor, this.discovery, this.health] = clientsOnOneChannel(target.address, [Supervisor, Discovery, Health]);
    this.caller = new Caller({ deadlineMs: 30_000, mapError: (e) => clientCallError(e, target.address, target.how) });
  }

  /** The supervisor's own status: state, pid, version, node, ensemble file, start time, unit and ready-unit counts. */
  status(): Promise<StatusMessage> {
    return this.unary(this.supervisor, 'Status', {});
  }

  /** Every unit's status. */
  async listUnits(): Promise<UnitMessage[]> {
    return (await this.unary<{ units: UnitMessage[] }>(this.supervisor, 'ListUnits', {})).units;
  }

  /** One unit's status; rejects with `ENS_E_UNIT_NOT_FOUND` for an unknown unit. */
  async getUnit(unit: string): Promise<UnitMessage> {
    return (await this.unary<{ unit: UnitMessage }>(this.supervisor, 'GetUnit', { unit })).unit;
  }

  /** StartUnit, StopUnit or RestartUnit; resolves with the unit's status once the operation finished. */
  async control(verb: 'start' | 'stop' | 'restart', unit: string): Promise<UnitMessage> {
    const method = { start: 'StartUnit', stop: 'StopUnit', restart: 'RestartUnit' }[verb];
    return (await this.unary<{ unit: UnitMessage }>(this.supervisor, method, { unit }, null)).unit;
  }

  /** Discovery: the service registered as `name` (then by alias, then family); rejects with `ENS_E_SERVICE_NOT_FOUND`. */
  async find(name: string): Promise<ServiceMessage> {
    return (await this.unary<{ service: ServiceMessage }>(this.discovery, 'Find', { name })).service;
  }

  /** Discovery: services whose name, alias, family or friendly name contains `query` (case-insensitive; all when empty), sorted by name. */
  async listServices(query = ''): Promise<ServiceMessage[]> {
    return (await this.unary<{ services: ServiceMessage[] }>(this.discovery, 'List', { query })).services;
  }

  /**
   * Reload (or with `dryRun`, diff) the running ensemble from `file` (absolute;
   * empty: the running file). No deadline: a reload answers once every
   * started unit has settled.
   */
  async reload(file: string, dryRun: boolean): Promise<ReloadResult> {
    return fromReloadMessage(await this.unary<ReloadMessage>(this.supervisor, 'Reload', { file, dryRun }, null));
  }

  /** Ask the supervisor to stop every unit and exit (resolves once it accepted). */
  async shutdown(): Promise<void> {
    await this.unary(this.supervisor, 'Shutdown', {});
  }

  /** The last `tail` lines of `unit` ('' = all units; undefined tail = every kept line), then new ones with `follow`. */
  logs(request: { unit: string; tail?: number; follow: boolean }, onLine: (line: LogLineMessage) => void | Promise<unknown>): StreamHandle {
    return this.stream(this.supervisor, 'Logs', request, onLine as (m: unknown) => void | Promise<unknown>);
  }

  /** Every unit's status, then each change. */
  watchUnits(units: string[], onUnit: (unit: UnitMessage) => void): StreamHandle {
    return this.stream(this.supervisor, 'WatchUnits', { units }, (m) => onUnit((m as { unit: UnitMessage }).unit));
  }

  /** Resolves once the supervisor stops answering (its health stream ends or fails). */
  waitGone(): Promise<void> {
    return new Promise((resolve) => {
      const call = this.caller.stream(this.health, 'Watch', { service: '' });
      call.on('data', () => undefined);
      call.on('error', () => resolve());
      call.on('end', () => resolve());
    });
  }

  /** Close the channel (every client of this object shares it). */
  close(): void {
    this.supervisor.close();
  }

  private unary<Res>(client: grpc.Client, method: string, request: object, deadlineMs?: number | null): Promise<Res> {
    return this.caller.unary<Res>(client, method, request, deadlineMs === undefined ? {} : { deadlineMs });
  }

  private stream(client: grpc.Client, method: string, request: object, onMessage: (m: unknown) => void | Promise<unknown>): StreamHandle {
    return this.caller.follow(client, method, request, onMessage);
  }
}
