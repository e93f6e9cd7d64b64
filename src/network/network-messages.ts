import type { ServiceMessage } from '../wire/discovery-messages.js';
import type { ServiceRecord } from '../api/service-registry.js';
import type { LogLineMessage, StatusMessage, UnitMessage } from '../api/supervisor-messages.js';

/** `ensemble.network.v1.NodeInfo`. */
export interface NodeInfoMessage {
  name: string;
  network: string;
  address: string;
  incarnation: string;
  version: number;
  supervisorVersion: string;
  startedAtMs: number;
}

/** `ensemble.network.v1.Member`. */
export interface MemberMessage {
  name: string;
  address: string;
}

/** `ensemble.network.v1.NodeState`. */
export interface NodeStateMessage {
  services: ServiceMessage[];
  units: UnitMessage[];
  status?: StatusMessage | null;
}

/** `ensemble.network.v1.ExchangeRequest`. */
export interface ExchangeRequestMessage {
  from?: NodeInfoMessage | null;
  members: MemberMessage[];
  state?: NodeStateMessage | null;
  knownIncarnation: string;
  knownVersion: number;
  leaving?: boolean;
}

/** `ensemble.network.v1.ExchangeResponse`. */
export interface ExchangeResponseMessage {
  from?: NodeInfoMessage | null;
  members: MemberMessage[];
  state?: NodeStateMessage | null;
  seenIncarnation: string;
  seenVersion: number;
}

/** `ensemble.network.v1.Node`. */
export interface NodeMessage {
  name: string;
  address: string;
  state: string;
  lastSeenMs: number;
  error: string;
  services: number;
  units: number;
}

/** `ensemble.network.v1.NodeUnits`. */
export interface NodeUnitsMessage {
  node: string;
  reachable: boolean;
  error: string;
  units: UnitMessage[];
  lastSeenMs: number;
}

/** `ensemble.network.v1.NetworkLogsResponse`. */
export interface NetworkLogLineMessage {
  node: string;
  line?: LogLineMessage | null;
}

/** Most services and units accepted from one peer (a misbehaving peer cannot exhaust memory). */
export const MAX_ENTRIES_PER_PEER = 10_000;

/** A peer's service as this node's discovery keeps it: its `node` is always the peer that sent it. */
export function remoteRecord(m: ServiceMessage, node: string): ServiceRecord {
  return {
    name: m.name,
    aliases: [...(m.aliases ?? [])],
    family: m.family ?? '',
    friendlyName: m.friendlyName ?? '',
    address: m.address ?? '',
    unit: m.unit ?? '',
    node,
    unitState: m.unitState ?? '',
    ready: m.ready === true,
    registeredAtMs: Number(m.registeredAtMs ?? 0),
  };
}
