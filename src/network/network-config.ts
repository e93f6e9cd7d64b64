import { readFileSync } from 'node:fs';
import { parseDuration } from '../common/duration.js';
import type { Plan } from '../ensemble/plan.js';
import { unitNameProblem } from '../ensemble/unit-name.js';
import { InvalidArgumentError } from '../common/errors.js';
import { formatHostPort, parseHostPort, type HostPort } from './peer-address.js';

/** Port of the network listener when neither the `network` block nor `--listen` names one. */
export const DEFAULT_LISTEN = '0.0.0.0:7600';
/** Default interval between two exchanges with each peer. */
export const DEFAULT_HEARTBEAT_MS = 1000;
/** Default time without a successful exchange after which a peer is unreachable. */
export const DEFAULT_TIMEOUT_MS = 5000;
/** An unreachable member that is not a configured peer is forgotten after this long. */
export const FORGET_AFTER_MS = 3_600_000;

/** The flags of `supervisor run` that the network reads (the run's options carry them). */
export interface NetworkFlags {
  /** `--listen ADDR`: replaces the block's `listen`. */
  readonly listen?: string | null;
  /** `--peer ADDR`: added to the block's `peers`. */
  readonly peers?: readonly string[];
}

/** mTLS material, read from the files of `tls { ca cert key }`. */
export interface TlsMaterial {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Everything the network layer needs, resolved from the plan, the flags and the environment. */
export interface NetworkConfig {
  /** `network "NAME"`; `default` when only flags ask for a network. */
  readonly name: string;
  /** This node's name (the plan's node). */
  readonly node: string;
  readonly listen: HostPort;
  /** Configured peers (`peers: [...]` and every `--peer`), host:port. */
  readonly seeds: readonly string[];
  /**
   * The network token; never logged, masked wherever the plan is printed, and
   * kept from units: the variable it came from and `ENSEMBLE_NETWORK_TOKEN`
   * are not inherited (docs/language.md "Secrets").
   */
  readonly token: string | null;
  readonly tls: TlsMaterial | null;
  readonly heartbeatMs: number;
  readonly timeoutMs: number;
  readonly forgetAfterMs: number;
}

/** A duration variable: `500ms`, `2s`, `1m` (the language's durations) or a bare number of milliseconds; at least 10ms. */
function durationVariable(value: string, what: string): number {
  const ms = parseDuration(value, { bareUnit: 'ms' });
  if (ms === null) throw new InvalidArgumentError(`${what}: "${value}" is not a duration (e.g. 500ms, 2s)`);
  if (ms < 10) throw new InvalidArgumentError(`${what}: "${value}" is too short (at least 10ms)`);
  return ms;
}

function readMaterial(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InvalidArgumentError(`network.tls.${what}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * The network configuration of a run, or null when the supervisor is not
 * networked (no `network` block and no `--listen`). `--listen` replaces the
 * block's `listen`; `--peer` adds to its `peers`. The token comes from the
 * block, else from `ENSEMBLE_NETWORK_TOKEN`. A network needs a token or TLS.
 * `ENSEMBLE_NETWORK_HEARTBEAT` / `ENSEMBLE_NETWORK_TIMEOUT` tune failure
 * detection (docs/network.md). Throws InvalidArgumentError with one line.
 */
export function resolveNetworkConfig(plan: Plan, options: NetworkFlags, env: NodeJS.ProcessEnv): NetworkConfig | null {
  const block = plan.network;
  const listenFlag = options.listen ?? null;
  const peerFlags = options.peers ?? [];
  if (!block && listenFlag === null) {
    if (peerFlags.length > 0) throw new InvalidArgumentError('--peer needs --listen ADDR (or a network block): peers must be able to call this supervisor back');
    return null;
  }
  const nodeProblem = unitNameProblem(plan.node);
  if (nodeProblem) throw new InvalidArgumentError(`node ${nodeProblem}; choose another one with --node`);
  const listen = parseHostPort(listenFlag ?? block?.listen ?? DEFAULT_LISTEN, listenFlag !== null ? '--listen' : 'network.listen');
  const seeds = [...new Set([...(block?.peers ?? []), ...peerFlags].map((p) => formatHostPort(parseHostPort(p, '--peer'))))];
  const token = block?.token ?? (env.ENSEMBLE_NETWORK_TOKEN || null);
  const tls = block?.tls ? { ca: readMaterial(block.tls.ca, 'ca'), cert: readMaterial(block.tls.cert, 'cert'), key: readMaterial(block.tls.key, 'key') } : null;
  if (token === null && tls === null) {
    throw new InvalidArgumentError('a networked supervisor needs a token (network { token: "…" } or ENSEMBLE_NETWORK_TOKEN) or tls { ca cert key }');
  }
  const heartbeatMs = env.ENSEMBLE_NETWORK_HEARTBEAT ? durationVariable(env.ENSEMBLE_NETWORK_HEARTBEAT, 'ENSEMBLE_NETWORK_HEARTBEAT') : DEFAULT_HEARTBEAT_MS;
  // Without an explicit timeout: five heartbeats (5 s by default).
  const timeoutMs = env.ENSEMBLE_NETWORK_TIMEOUT
    ? durationVariable(env.ENSEMBLE_NETWORK_TIMEOUT, 'ENSEMBLE_NETWORK_TIMEOUT')
    : (DEFAULT_TIMEOUT_MS / DEFAULT_HEARTBEAT_MS) * heartbeatMs;
  if (timeoutMs < 2 * heartbeatMs) throw new InvalidArgumentError(`ENSEMBLE_NETWORK_TIMEOUT (${timeoutMs}ms) must be at least twice the heartbeat (${heartbeatMs}ms)`);
  return { name: block?.name ?? 'default', node: plan.node, listen, seeds, token, tls, heartbeatMs, timeoutMs, forgetAfterMs: FORGET_AFTER_MS };
}
