import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RemoteServiceSource } from '../api/federated-service-registry.js';
import type { RegistryChange, ServiceRecord } from '../api/service-registry.js';
import { unitNameProblem } from '../ensemble/unit-name.js';
import { StateError, UnreachableError } from '../common/errors.js';
import { VERSION } from '../common/version.js';
import { Member, type MemberState } from './member.js';
import type { NetworkConfig } from './network-config.js';
import { NodeNotFoundError } from './network-errors.js';
import {
  MAX_ENTRIES_PER_PEER,
  remoteRecord,
  type ExchangeRequestMessage,
  type ExchangeResponseMessage,
  type MemberMessage,
  type NodeInfoMessage,
  type NodeMessage,
  type NodeStateMessage,
} from './network-messages.js';
import { formatHostPort, hostOfPeer, isWildcardHost, parseHostPort, resolveAdvertised } from './peer-address.js';
import { PeerClient, PeerUnreachableError } from './peer-client.js';
import { notifyAll } from '../common/notify-all.js';

/** Most members one node keeps (gossip beyond this is ignored). */
const MAX_MEMBERS = 1000;
/** A local change is pushed to every peer this long after it happened (changes in between are batched). */
const PUSH_DELAY_MS = 10;

/** What changed about a peer (for the file view and watchers). */
export interface PeerEvent {
  readonly node: string;
  /** `state`: reachability changed; `units`: its unit statuses changed. */
  readonly type: 'state' | 'units';
}

interface Seed {
  /** The node answering there, once known. */
  name: string | null;
  /** The address is this supervisor itself (the same file lists every node). */
  self: boolean;
  inFlight: boolean;
}

/**
 * Membership, failure detection and state exchange of one supervisor
 * (docs/network.md). Full mesh: every `heartbeatMs` this node calls
 * `Peer.Exchange` on every member it knows (push-pull: each side sends its
 * state when the other has not acknowledged its current version, plus the
 * members it can reach, so knowing one member teaches the whole membership).
 * A node's state is only ever taken from that node, so a partition shows
 * exactly what each side can reach. A member without a successful exchange
 * for `timeoutMs` is unreachable and its services leave discovery; the next
 * successful exchange re-syncs it in full. Local changes are pushed at once.
 */
export class Federation implements RemoteServiceSource {
  /** Random id of this supervisor process. */
  readonly incarnation = randomUUID();
  private version = 1;
  private readonly startedAt = Date.now();
  private readonly members = new Map<string, Member>();
  private readonly seeds = new Map<string, Seed>();
  private readonly clients = new Map<string, PeerClient>();
  private readonly serviceListeners = new Set<(change: RegistryChange) => void>();
  private readonly peerListeners = new Set<(event: PeerEvent) => void>();
  private advertised = '';
  private timer: NodeJS.Timeout | null = null;
  private pushTimer: NodeJS.Timeout | null = null;
  private stateCache: { version: number; state: NodeStateMessage } | null = null;
  private running = false;

  /**
   * @param config the resolved network configuration.
   * @param localState this node's services, units and status, as sent to peers.
   */
  constructor(
    readonly config: NetworkConfig,
    private readonly localState: () => NodeStateMessage,
    private readonly logger: Logger,
  ) {
    for (const seed of config.seeds) this.seeds.set(seed, { name: null, self: false, inFlight: false });
  }

  /** This node's name. */
  get node(): string {
    return this.config.node;
  }

  /** Start exchanging; `port` is the port the listener got (for `:0`). */
  start(port: number): void {
    const host = this.config.listen.host;
    this.advertised = formatHostPort({ host: isWildcardHost(host) ? '' : host, port });
    this.running = true;
    this.timer = setInterval(() => this.tick(), this.config.heartbeatMs);
    this.timer.unref();
    this.tick();
  }

  /** Tell reachable peers this node leaves (short deadline), then stop every exchange and close clients. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    if (this.pushTimer) clearTimeout(this.pushTimer);
    const leaving: ExchangeRequestMessage = { from: this.info(), members: [], knownIncarnation: '', knownVersion: 0, leaving: true };
    await Promise.allSettled(
      [...this.members.values()].filter((m) => m.state === 'alive').map((m) => this.client(m.address, m.name).exchange(leaving, Math.min(1000, this.config.heartbeatMs))),
    );
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  /** This node's state changed (a registration, a unit state): push it to every reachable peer soon. */
  localChanged(): void {
    this.version++;
    if (!this.running || this.pushTimer) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = null;
      for (const m of this.members.values()) if (m.state === 'alive') void this.exchangeWith(m);
    }, PUSH_DELAY_MS);
  }

  // ---- RemoteServiceSource -------------------------------------------------

  services(): ServiceRecord[] {
    return [...this.members.values()].flatMap((m) => m.visibleServices());
  }

  watch(listener: (change: RegistryChange) => void): () => void {
    this.serviceListeners.add(listener);
    return () => this.serviceListeners.delete(listener);
  }

  /** Every reachability or unit status change of a peer; returns an unsubscribe function. */
  watchPeers(listener: (event: PeerEvent) => void): () => void {
    this.peerListeners.add(listener);
    return () => this.peerListeners.delete(listener);
  }

  // ---- what operators and the Peer service use -----------------------------

  /** This node, then every member by name. */
  nodes(): NodeMessage[] {
    const self: NodeMessage = { name: this.node, address: this.advertised, state: 'self', lastSeenMs: Date.now(), error: '', services: 0, units: 0 };
    const others = [...this.members.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((m) => ({ name: m.name, address: m.address, state: m.state, lastSeenMs: m.lastSeen, error: m.state === 'alive' ? '' : m.lastError, services: m.services.length, units: m.units.length }));
    return [self, ...others];
  }

  /** Names of the members known (not this node). */
  memberNames(): string[] {
    return [...this.members.keys()].sort();
  }

  /** A member by name; NodeNotFoundError when unknown. */
  member(name: string): Member {
    const m = this.members.get(name);
    if (!m) throw new NodeNotFoundError(name, [this.node, ...this.memberNames()]);
    return m;
  }

  /** The client of a reachable member: NodeNotFoundError when unknown, UnreachableError when not alive. */
  clientOf(name: string): PeerClient {
    const m = this.member(name);
    if (m.state !== 'alive') {
      const ago = m.lastSeen ? `last seen ${Math.round((Date.now() - m.lastSeen) / 1000)}s ago` : 'never reached';
      throw new UnreachableError(`node ${name} is ${m.state === 'left' ? 'shut down' : 'unreachable'} (${ago}${m.lastError ? `: ${m.lastError}` : ''})`);
    }
    return this.client(m.address, m.name);
  }

  /** `ensemble.network.v1.NodeInfo` of this node. */
  info(): NodeInfoMessage {
    return {
      name: this.node,
      network: this.config.name,
      address: this.advertised,
      incarnation: this.incarnation,
      version: this.version,
      supervisorVersion: VERSION,
      startedAtMs: this.startedAt,
    };
  }

  // ---- the exchange, callee side -------------------------------------------

  /** Answer `Peer.Exchange` from the caller at gRPC peer `peer`. Throws StateError for a foreign network or a name clash. */
  handleExchange(req: ExchangeRequestMessage, peer: string): ExchangeResponseMessage {
    const from = this.checkInfo(req.from, `caller ${hostOfPeer(peer) ?? peer}`);
    if (from.name === this.node) {
      if (from.incarnation !== this.incarnation) throw new StateError(`node name "${from.name}" is already used by the node at ${this.advertised}; give every node its own --node`);
      return this.response(req, null);
    }
    const address = resolveAdvertised(from.address, hostOfPeer(peer));
    const m = this.upsert(from.name, address);
    if (req.leaving) {
      this.markDown(m, 'left', 'shut down');
      return this.response(req, m);
    }
    if (from.incarnation !== m.incarnation && !req.state) {
      // A new process we hold nothing of yet: ask for its state (seen = none).
      this.replaceState(m, null, from);
    }
    this.markAlive(m);
    if (req.state) this.replaceState(m, req.state, from);
    this.mergeMembers(req.members);
    return this.response(req, m);
  }

  private response(req: ExchangeRequestMessage, m: Member | null): ExchangeResponseMessage {
    const current = req.knownIncarnation === this.incarnation && Number(req.knownVersion) === this.version;
    return {
      from: this.info(),
      members: this.gossip(),
      state: current ? null : this.state(),
      seenIncarnation: m?.incarnation ?? '',
      seenVersion: m?.version ?? 0,
    };
  }

  // ---- the exchange, caller side -------------------------------------------

  private tick(): void {
    if (!this.running) return;
    const now = Date.now();
    for (const m of [...this.members.values()]) {
      if (m.state === 'alive' && now - m.lastSeen > this.config.timeoutMs) {
        this.markDown(m, 'unreachable', m.lastError || `no answer for ${Math.round((now - m.lastSeen) / 1000)}s`);
      }
      const known = this.seedOf(m.address) !== null;
      if (m.state !== 'alive' && !known && now - Math.max(m.lastSeen, m.since) > this.config.forgetAfterMs) {
        this.members.delete(m.name);
        this.logger.info({ node: m.name }, `forgot node ${m.name} (unreachable for more than ${Math.round(this.config.forgetAfterMs / 60_000)} minutes)`);
        this.emitPeer({ node: m.name, type: 'state' });
        continue;
      }
      void this.exchangeWith(m);
    }
    for (const [address, seed] of this.seeds) {
      if (seed.self || seed.inFlight || (seed.name !== null && this.members.has(seed.name))) continue;
      if ([...this.members.values()].some((m) => m.address === address)) continue;
      void this.exchangeWithSeed(address, seed);
    }
  }

  private seedOf(address: string): Seed | null {
    return this.seeds.get(address) ?? null;
  }

  private request(m: Member | null): ExchangeRequestMessage {
    return {
      from: this.info(),
      members: this.gossip(),
      state: m && m.acked === this.version ? null : this.state(),
      knownIncarnation: m?.incarnation ?? '',
      knownVersion: m?.version ?? 0,
    };
  }

  private deadline(): number {
    return Math.max(500, Math.min(2 * this.config.heartbeatMs, this.config.timeoutMs / 2));
  }

  private async exchangeWith(m: Member): Promise<void> {
    if (m.inFlight || !this.running) return;
    m.inFlight = true;
    const address = m.address;
    try {
      const res = await this.client(address, m.name).exchange(this.request(m), this.deadline());
      if (this.running) this.onAnswer(address, res);
    } catch (e) {
      m.lastError = e instanceof PeerUnreachableError ? e.reason : oneLine(e);
    } finally {
      m.inFlight = false;
    }
  }

  private async exchangeWithSeed(address: string, seed: Seed): Promise<void> {
    seed.inFlight = true;
    try {
      const res = await this.client(address, address).exchange(this.request(null), this.deadline());
      if (!this.running) return;
      const from = res.from;
      if (from?.name === this.node && from.incarnation === this.incarnation) {
        seed.self = true;
        return;
      }
      seed.name = this.onAnswer(address, res)?.name ?? null;
    } catch (e) {
      this.logger.debug({ peer: address }, `peer ${address}: ${oneLine(e)}`);
    } finally {
      seed.inFlight = false;
    }
  }

  /** Apply an answer from the node dialled at `address`; returns its member (null when refused). */
  private onAnswer(address: string, res: ExchangeResponseMessage): Member | null {
    let from: NodeInfoMessage;
    try {
      from = this.checkInfo(res.from, `the node at ${address}`);
    } catch (e) {
      this.logger.warn({ peer: address }, (e as Error).message);
      return null;
    }
    if (from.name === this.node) {
      if (from.incarnation !== this.incarnation) this.logger.warn({ peer: address }, `the node at ${address} is also named "${this.node}"; give every node its own --node`);
      return null;
    }
    const m = this.upsert(from.name, resolveAdvertised(from.address, safeHost(address)) ?? address);
    if (from.incarnation !== m.incarnation && !res.state) this.replaceState(m, null, from);
    this.markAlive(m);
    if (res.state) this.replaceState(m, res.state, from);
    m.acked = res.seenIncarnation === this.incarnation ? Number(res.seenVersion) : -1;
    this.mergeMembers(res.members);
    return m;
  }

  // ---- membership -----------------------------------------------------------

  private checkInfo(info: NodeInfoMessage | null | undefined, who: string): NodeInfoMessage {
    if (!info || unitNameProblem(info.name) !== null || info.incarnation === '') throw new StateError(`${who} did not say which node it is`);
    if (info.network !== this.config.name) throw new StateError(`${who} (node ${info.name}) belongs to network "${info.network}", not "${this.config.name}"`);
    return info;
  }

  private upsert(name: string, address: string | null): Member {
    let m = this.members.get(name);
    if (!m) {
      m = new Member(name, address ?? '');
      this.members.set(name, m);
      this.logger.info({ node: name, address: m.address }, `learned of node ${name} at ${m.address}`);
      return m;
    }
    if (address && address !== m.address && m.state !== 'alive') m.address = address;
    return m;
  }

  private mergeMembers(list: readonly MemberMessage[] | undefined): void {
    for (const { name, address } of (list ?? []).slice(0, MAX_MEMBERS)) {
      if (name === this.node || unitNameProblem(name) !== null) continue;
      let valid: string;
      try {
        const hp = parseHostPort(address, 'member');
        if (isWildcardHost(hp.host)) continue;
        valid = formatHostPort(hp);
      } catch {
        continue;
      }
      const known = this.members.get(name);
      if (known) {
        if (known.state !== 'alive' && known.address !== valid) known.address = valid;
        continue;
      }
      if (this.members.size >= MAX_MEMBERS) return;
      const m = this.upsert(name, valid);
      const seed = this.seedOf(valid);
      if (seed && seed.name === null) seed.name = name;
      void this.exchangeWith(m);
    }
  }

  /** Self and the members this node can reach (what peers learn from it). */
  private gossip(): MemberMessage[] {
    return [
      { name: this.node, address: this.advertised },
      ...[...this.members.values()].filter((m) => m.state === 'alive' && m.address !== '').map((m) => ({ name: m.name, address: m.address })),
    ];
  }

  private markAlive(m: Member): void {
    m.lastSeen = Date.now();
    m.lastError = '';
    if (m.state === 'alive') return;
    const was = m.state;
    m.state = 'alive';
    this.logger.info({ node: m.name, address: m.address }, `node ${m.name} is reachable${was === 'left' ? ' again' : ''} at ${m.address}`);
    for (const r of m.visibleServices()) this.emitService({ type: 'added', service: r });
    this.emitPeer({ node: m.name, type: 'state' });
  }

  private markDown(m: Member, state: Exclude<MemberState, 'alive'>, reason: string): void {
    if (m.state === state) return;
    const removed = m.visibleServices();
    const wasAlive = m.state === 'alive';
    m.state = state;
    m.lastError = reason;
    m.forgetState();
    if (wasAlive) {
      const ago = Math.round((Date.now() - m.lastSeen) / 1000);
      const left = removed.length > 0 ? `; its ${removed.length} service${removed.length === 1 ? '' : 's'} left discovery` : '';
      if (state === 'left') this.logger.info({ node: m.name }, `node ${m.name} left the network (shut down)${left}`);
      else this.logger.warn({ node: m.name, lastSeenMs: m.lastSeen }, `node ${m.name} is unreachable (last answer ${ago}s ago: ${reason})${left}`);
    }
    for (const r of removed) this.emitService({ type: 'removed', service: r });
    this.emitPeer({ node: m.name, type: 'state' });
  }

  /** Replace what is held of `m` with `state` (null: nothing yet) from `from`'s incarnation and version, emitting the differences. */
  private replaceState(m: Member, state: NodeStateMessage | null, from: NodeInfoMessage): void {
    const before = new Map(m.visibleServices().map((r) => [r.name, r]));
    const seen = new Set<string>();
    const services: ServiceRecord[] = [];
    for (const s of (state?.services ?? []).slice(0, MAX_ENTRIES_PER_PEER)) {
      if (typeof s?.name !== 'string' || s.name === '' || seen.has(s.name)) continue;
      seen.add(s.name);
      services.push(remoteRecord(s, m.name));
    }
    m.services = services;
    m.units = (state?.units ?? []).slice(0, MAX_ENTRIES_PER_PEER).filter((u) => typeof u?.name === 'string' && unitNameProblem(u.name) === null);
    m.status = state?.status ?? null;
    m.incarnation = from.incarnation;
    m.version = state ? Number(from.version) : 0;
    const after = m.visibleServices();
    for (const r of after) {
      const old = before.get(r.name);
      before.delete(r.name);
      if (!old) this.emitService({ type: 'added', service: r });
      else if (!sameRecord(old, r)) this.emitService({ type: 'updated', service: r });
    }
    for (const r of before.values()) this.emitService({ type: 'removed', service: r });
    this.emitPeer({ node: m.name, type: 'units' });
  }

  private state(): NodeStateMessage {
    if (this.stateCache?.version !== this.version) this.stateCache = { version: this.version, state: this.localState() };
    return this.stateCache.state;
  }

  private client(address: string, label: string): PeerClient {
    let c = this.clients.get(address);
    if (!c) {
      c = new PeerClient(address, this.config, () => this.members.get(label)?.name ?? label);
      this.clients.set(address, c);
    }
    return c;
  }

  private emitService(change: RegistryChange): void {
    notifyAll(this.serviceListeners, change); // a failing watcher must not break the exchange
  }

  private emitPeer(event: PeerEvent): void {
    notifyAll(this.peerListeners, event);
  }
}

function sameRecord(a: ServiceRecord, b: ServiceRecord): boolean {
  return (
    a.address === b.address &&
    a.unitState === b.unitState &&
    a.ready === b.ready &&
    a.registeredAtMs === b.registeredAtMs &&
    a.family === b.family &&
    a.friendlyName === b.friendlyName &&
    a.aliases.join('\u0000') === b.aliases.join('\u0000')
  );
}

function safeHost(address: string): string | null {
  try {
    return parseHostPort(address, 'address').host;
  } catch {
    return null;
  }
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
}
