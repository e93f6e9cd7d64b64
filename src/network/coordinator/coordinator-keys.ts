import { InvalidArgumentError } from '../../common/errors.js';
import type { MemberRecord, RegistryEntry } from './coordinator.js';

/**
 * The key layout both backends share, relative to a backend's key prefix:
 * `members/<node>`, `registry/<node>/<name>`, `config/<key>`,
 * `election/<name>/<lease id>`, `lock/<name>/<lease id>`.
 */
export const KEY_SPACES = { members: 'members/', registry: 'registry/', config: 'config/', election: 'election/', lock: 'lock/' } as const;

function segment(what: string, value: string): string {
  if (value === '' || value.includes('/')) throw new InvalidArgumentError(`${what} must be non-empty and contain no "/" (got "${value}")`);
  return value;
}

/** `members/<node>`. */
export function memberKey(node: string): string {
  return `${KEY_SPACES.members}${segment('a node name', node)}`;
}

/** `registry/<node>/<name>`. */
export function registryKey(node: string, name: string): string {
  return `${KEY_SPACES.registry}${segment('a node name', node)}/${segment('a service name', name)}`;
}

/** `config/<key>` (the key may contain "/"). */
export function configKey(key: string): string {
  if (key === '') throw new InvalidArgumentError('a configuration key must be non-empty');
  return `${KEY_SPACES.config}${key}`;
}

/** `election/<name>/`: the candidates' records, oldest first is the leader. */
export function electionPrefix(name: string): string {
  return `${KEY_SPACES.election}${segment('an election name', name)}/`;
}

/** `lock/<name>/`: the waiters' records, oldest first holds the lock. */
export function lockPrefix(name: string): string {
  return `${KEY_SPACES.lock}${segment('a lock name', name)}/`;
}

/** A relative key as given to `get`/`put`/`delete`: non-empty, no leading "/". */
export function checkRelativeKey(key: string): string {
  if (key === '' || key.startsWith('/')) throw new InvalidArgumentError(`a coordinator key must be relative and non-empty (got "${key}")`);
  return key;
}

/** Serialises a member record (JSON). */
export function encodeMember(member: MemberRecord): string {
  return JSON.stringify({ node: member.node, address: member.address, labels: member.labels, hostIds: member.hostIds });
}

/** Parses a member record; undefined when the stored text is not one. */
export function decodeMember(text: string): MemberRecord | undefined {
  try {
    const v = JSON.parse(text) as Partial<MemberRecord>;
    if (typeof v.node !== 'string' || typeof v.address !== 'string') return undefined;
    return { node: v.node, address: v.address, labels: v.labels ?? {}, hostIds: v.hostIds ?? [] };
  } catch {
    return undefined;
  }
}

/** Serialises a registry entry (JSON). */
export function encodeEntry(entry: RegistryEntry): string {
  return JSON.stringify({ node: entry.node, name: entry.name, address: entry.address, metadata: entry.metadata });
}
