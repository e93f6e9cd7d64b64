import { ensemblePeer } from './ensemble.js';
import { minimalPeer } from './minimal.js';
import type { Peer } from './peer.js';
import { pm2Peer } from './pm2.js';
import { runitPeer } from './runit.js';
import { s6Peer } from './s6.js';
import { supervisordPeer } from './supervisord.js';

/** Every driver, in the order the harness alternates them (Ensemble first). */
export const ALL_PEERS: readonly Peer[] = [ensemblePeer, pm2Peer, supervisordPeer, runitPeer, s6Peer, minimalPeer];

/** The drivers named in `names` (in the canonical order); throws on an unknown name. */
export function selectPeers(names: readonly string[] | undefined): Peer[] {
  if (!names) return [...ALL_PEERS];
  const unknown = names.filter((n) => !ALL_PEERS.some((p) => p.name === n));
  if (unknown.length > 0) throw new Error(`unknown peer(s): ${unknown.join(', ')} (known: ${ALL_PEERS.map((p) => p.name).join(', ')})`);
  return ALL_PEERS.filter((p) => names.includes(p.name));
}
