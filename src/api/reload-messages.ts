import type { ReloadResult } from '../supervisor/lifecycle/control.js';

/** `ensemble.supervisor.v1.ReloadResponse` as proto-loader gives and takes it. */
export interface ReloadMessage {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
  restarted: string[];
  updated: string[];
  units: { name: string; change: string; action: string; fields: string[] }[];
  /** Absent (or null) when the network block did not change. */
  network?: { fields: string[]; restartRequired: boolean } | null;
  applied: boolean;
  file: string;
}

/** A reload result as a proto message. */
export function toReloadMessage(r: ReloadResult): ReloadMessage {
  const m: ReloadMessage = {
    added: [...r.added],
    removed: [...r.removed],
    changed: [...r.changed],
    unchanged: [...r.unchanged],
    restarted: [...r.restarted],
    updated: [...r.updated],
    units: r.units.map((u) => ({ name: u.name, change: u.change, action: u.action, fields: [...u.fields] })),
    applied: r.applied,
    file: r.file,
  };
  if (r.network) m.network = { fields: [...r.network.fields], restartRequired: r.network.restartRequired };
  return m;
}

/** A ReloadResponse received by a client, as a {@link ReloadResult}. */
export function fromReloadMessage(m: ReloadMessage): ReloadResult {
  return {
    added: m.added,
    removed: m.removed,
    changed: m.changed,
    unchanged: m.unchanged,
    restarted: m.restarted,
    updated: m.updated,
    units: m.units.map((u) => ({ name: u.name, change: u.change as ReloadResult['units'][number]['change'], action: u.action as ReloadResult['units'][number]['action'], fields: u.fields })),
    network: m.network ? { fields: m.network.fields, restartRequired: m.network.restartRequired } : null,
    applied: m.applied,
    file: m.file,
  };
}
