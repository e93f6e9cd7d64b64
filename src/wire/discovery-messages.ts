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
