import * as grpc from '@grpc/grpc-js';
import { clientCallError } from '../api/client-call-error.js';
import { loadProtos } from '../wire/protos.js';
import type { StatusMessage, UnitMessage } from '../api/supervisor-messages.js';
import type { HealthResult, LimitsMechanism, SupervisorState, SupervisorStatus, UnitState, UnitStatus } from '../supervisor/unit-state.js';
import { ResourceClientPool } from './resources-client.js';
import type { ResourceClient, ServiceEntry, SupervisorAction, TreeBackend, UnitAction } from './tree-backend.js';

type Unary = (req: object, options: grpc.CallOptions, cb: (e: grpc.ServiceError | null, res?: unknown) => void) => void;
type Stub = grpc.Client & Record<string, Unary | ((req: object) => grpc.ClientReadableStream<unknown>)>;

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
  private readonly supervisor: Stub;
  private readonly discovery: Stub;
  private readonly pool: ResourceClientPool;

  /**
   * @param address the supervisor API (`unix:/…/api.sock` or `host:port`).
   * @param deadlineMs deadline of quick calls (status, listings, resources).
   * @param actionDeadlineMs deadline of unit actions (stop + start).
   */
  constructor(
    private readonly address: string,
    private readonly deadlineMs = 5000,
    private readonly actionDeadlineMs = 120_000,
  ) {
    const protos = loadProtos();
    const creds = grpc.credentials.createInsecure();
    this.supervisor = new protos.Supervisor(address, creds) as unknown as Stub;
    this.discovery = new protos.Discovery(address, creds) as unknown as Stub;
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
    const call = (this.supervisor.WatchUnits as (req: object) => grpc.ClientReadableStream<{ unit: UnitMessage }>)({ units: [] });
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

  private call<T>(stub: Stub, method: string, req: object, deadlineMs = this.deadlineMs): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      (stub[method] as Unary).call(stub, req, { deadline: Date.now() + deadlineMs }, (e, res) => {
        if (!e) return resolve(res as T);
        reject(clientCallError(e, this.address));
      });
    });
  }
}

/** A unit status from its proto message. */
export function unitFromMessage(m: UnitMessage): UnitStatus {
  return {
    name: m.name,
    state: m.state as UnitState,
    kind: m.kind,
    pid: m.pid ?? null,
    restarts: m.restarts,
    exitCode: m.exitCode ?? null,
    exitSignal: m.exitSignal === '' ? null : m.exitSignal,
    error: m.error === '' ? null : m.error,
    since: m.sinceMs,
    cpuPercent: m.cpuPercent ?? null,
    memoryBytes: m.memoryBytes ?? null,
    health: m.health as HealthResult,
    limits: m.limits as LimitsMechanism,
    stoppedByOperator: m.stoppedByOperator,
  };
}
