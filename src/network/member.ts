import type { ServiceRecord } from '../api/service-registry.js';
import type { StatusMessage, UnitMessage } from '../api/supervisor-messages.js';
import { isLoopbackHost, parseHostPort } from './peer-address.js';

/**
 * How this node sees another member:
 * - `alive`: an exchange succeeded within the failure timeout; its services are in discovery.
 * - `unreachable`: no successful exchange for longer than the timeout (or never yet); no services.
 * - `left`: it said it was shutting down; no services until it answers again.
 */
export type MemberState = 'alive' | 'unreachable' | 'left';

/** Another supervisor of the network, and what this node last learned from it. */
export class Member {
  state: MemberState = 'unreachable';
  /** Epoch ms of the last successful exchange (0: never). */
  lastSeen = 0;
  /** When this node first heard of it. */
  readonly since = Date.now();
  /** The last call error, one line. */
  lastError = '';
  /** The member's incarnation whose state is held here ('' = none). */
  incarnation = '';
  /** The version of the member's state held here. */
  version = 0;
  /** The version of this node's state the member acknowledged (-1: none). */
  acked = -1;
  services: ServiceRecord[] = [];
  units: UnitMessage[] = [];
  status: StatusMessage | null = null;
  /** An exchange with it is under way (never two at once). */
  inFlight = false;

  constructor(
    readonly name: string,
    public address: string,
  ) {}

  /**
   * True when `record` can be handed to clients on this node: not a Unix
   * socket (another machine's file), and not a loopback address unless the
   * member itself is reached over loopback (the same machine).
   */
  offers(record: ServiceRecord): boolean {
    if (record.address.startsWith('unix:')) return false;
    try {
      const host = parseHostPort(record.address, 'service').host;
      return !isLoopbackHost(host) || isLoopbackHost(parseHostPort(this.address, 'member').host);
    } catch {
      return false;
    }
  }

  /** The services clients on this node may be given (none unless alive). */
  visibleServices(): ServiceRecord[] {
    return this.state === 'alive' ? this.services.filter((r) => this.offers(r)) : [];
  }

  /** Forget the member's state (it will be sent again in full on the next exchange). */
  forgetState(): void {
    this.services = [];
    this.units = [];
    this.status = null;
    this.incarnation = '';
    this.version = 0;
    this.acked = -1;
  }
}
