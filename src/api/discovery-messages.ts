import type { ServiceRecord, ServiceRegistration } from './service-registry.js';

/** `ensemble.discovery.v1.Service` as proto-loader gives and takes it. */
export interface ServiceMessage {
  name: string;
  aliases: string[];
  family: string;
  friendlyName: string;
  address: string;
  unit: string;
  node: string;
  unitState: string;
  ready: boolean;
  registeredAtMs: number;
}

/** `ensemble.discovery.v1.ServiceRegistration`. */
export interface ServiceRegistrationMessage {
  name?: string;
  aliases?: string[];
  family?: string;
  friendlyName?: string;
  address?: string;
}

/** A record as a proto message. */
export function toServiceMessage(r: ServiceRecord): ServiceMessage {
  return {
    name: r.name,
    aliases: [...r.aliases],
    family: r.family,
    friendlyName: r.friendlyName,
    address: r.address,
    unit: r.unit,
    node: r.node,
    unitState: r.unitState,
    ready: r.ready,
    registeredAtMs: r.registeredAtMs,
  };
}

/** A registration message with every field defaulted. */
export function fromRegistrationMessage(m: ServiceRegistrationMessage): ServiceRegistration {
  return {
    name: m.name ?? '',
    aliases: m.aliases ?? [],
    family: m.family ?? '',
    friendlyName: m.friendlyName ?? '',
    address: m.address ?? '',
  };
}

/** The `ensemble.discovery.v1.ChangeType` names. */
export const CHANGE_TYPE = {
  added: 'CHANGE_TYPE_ADDED',
  updated: 'CHANGE_TYPE_UPDATED',
  removed: 'CHANGE_TYPE_REMOVED',
  synced: 'CHANGE_TYPE_SYNCED',
} as const;

/** `ensemble.discovery.v1.WatchResponse`. */
export interface WatchResponseMessage {
  type: (typeof CHANGE_TYPE)[keyof typeof CHANGE_TYPE];
  service?: ServiceMessage;
}
