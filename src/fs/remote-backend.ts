import type * as grpc from '@grpc/grpc-js';
import { clientCallError } from '../wire/client-call-error.js';
import { unitFromMessage, type StatusMessage, type UnitMessage } from '../api/supervisor-messages.js';
import type { SupervisorState, SupervisorStatus, UnitStatus } from '../supervisor/lifecycle/unit-state.js';
import { Caller } from '../wire/call.js';
import { clientsOnOneChannel } from '../wire/channel.js';
import { loadProtos } from '../wire/protos.js';
import { ResourceClientPool } from './resources-client.js';
import type { ResourceClient, ServiceEntry, SupervisorAction, TreeBackend, UnitAction } from './tree-backend.js';

interface ServiceMessageLite {
  name: string;
  address: string;
  unit: string;
  family: string;
}

/**
 * The tree's data in a client process (`supervisor fs …` when there is no
 * mount): the supervisor's gRPC API (Supervisor and Discovery services) and
 * units' Resources services. Unit actions wait for the API's answer, like
 * `supervisor restart`.
 */
export class RemoteTreeBackend implements TreeBackend {
  private readonly supervisor: grpc.Client;
  private readonly discovery: grpc.Client;
  private readonly pool: ResourceClientPool;
  private readonly caller: Caller;

  /**
   * @param address the supervisor API (`unix:/…/api.sock` or `host:port`).
   * @param deadlineMs deadline of quick calls (status, listings, resources).
   * @param actionDeadlineMs deadline of unit actions (stop + start).
   */
  constructor(
    address: string,
    private readonly deadlineMs = 5000,
    private readonly actionDeadlineMs = 120_000,
  ) {
    const { Supervisor, Discovery } = loadProtos();
    [this.supervisor, this.discovery] = clientsOnOneChannel(address, [Supervisor, Discovery]);
    this.caller = new Caller({ deadlineMs, mapError: (e) => clientCallError(e, address) });
    this.pool = new ResourceClientPool(deadlineMs);
  }

  async supervisorStatus(): Promise<SupervisorStatus> {
    const m = await this.call<StatusMessage>(this.supervisor, 'Status', {});
    return {
      state: m.state as SupervisorState,
      pid: m.pid,
      version: m.version,
      node: m.node,
      file: m.file,
      startedAt: m.startedAtMs,
      units: m.units,
      readyUnits: m.readyUnits,
    };
  }

  async listUnits(): Promise<UnitStatus[]> {
    return (await this.call<{ units: UnitMessage[] }>(this.supervisor, 'ListUnits', {})).units.map(unitFromMessage);
  }

  async getUnit(name: string): Promise<UnitStatus> {
    return unitFromMessage((await this.call<{ unit: UnitMessage }>(this.supervisor, 'GetUnit', { unit: name })).unit);
  }

  watchUnits(onChange: (status: UnitStatus) => void): () => void {
    const call = this.caller.stream<{ unit: UnitMessage }>(this.supervisor, 'WatchUnits', { units: [] });
    call.on('data', (m: { unit: UnitMessage }) => onChange(unitFromMessage(m.unit)));
    call.on('error', () => undefined);
    return () => call.cancel();
  }

  async controlUnit(name: string, action: UnitAction): Promise<void> {
    const method = action === 'start' ? 'StartUnit' : action === 'stop' ? 'StopUnit' : 'RestartUnit';
    await this.call(this.supervisor, method, { unit: name }, this.actionDeadlineMs);
  }

  async controlSupervisor(action: SupervisorAction): Promise<void> {
    await this.call(this.supervisor, action === 'reload' ? 'Reload' : 'Shutdown', {}, this.actionDeadlineMs);
  }

  async listServices(): Promise<ServiceEntry[]> {
    const services = (await this.call<{ services: ServiceMessageLite[] }>(this.discovery, 'List', { query: '' })).services;
    return services.map((s) => ({ name: s.name, address: s.address, unit: s.unit })).sort((a, b) => a.name.localeCompare(b.name));
  }

  async resources(unit: string): Promise<ResourceClient | null> {
    const services = (await this.call<{ services: ServiceMessageLite[] }>(this.discovery, 'List', { query: '' })).services;
    return this.pool.forUnit(unit, services);
  }

  close(): void {
    this.pool.close();
    this.supervisor.close();
    this.discovery.close();
  }

  private call<T>(client: grpc.Client, method: string, req: object, deadlineMs = this.deadlineMs): Promise<T> {
    return this.caller.unary<T>(client, method, req, { deadlineMs });
  }
}
