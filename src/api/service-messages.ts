import type { ServiceMessage, ServiceRegistrationMessage } from '../wire/discovery-messages.js';
import type { ServiceRecord, ServiceRegistration } from './service-registry.js';

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
