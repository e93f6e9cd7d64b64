import * as grpc from '@grpc/grpc-js';
import { statusForCode } from '../wire/grpc-status.js';
import { IDENTITY_HEADER } from '../wire/headers.js';
import { EnsembleError } from '../common/errors.js';

/** Issues an assertion for `audience` (the supervisor's `IssueIdentity`). */
export type IdentityIssuer = (audience: string, ttlMs: number) => Promise<{ assertion: string; expiresAtMs: number }>;

/** Options of `unit.identityFor()`. */
export interface IdentityOptions {
  /** Wanted lifetime of each assertion in ms (0 or unset: the supervisor's default, 5 minutes). */
  readonly ttlMs?: number;
}

interface Cached {
  readonly assertion: string;
  readonly refreshAtMs: number;
  readonly expiresAtMs: number;
}

/** An assertion this close to expiry is not sent any more (a fresh one is awaited). */
const EXPIRY_MARGIN_MS = 1000;

/**
 * A unit's identity for calls to one audience (a service name): fetches an
 * assertion from the supervisor on first use, reuses it, and fetches the next
 * one once half its lifetime has passed (concurrent calls share one fetch).
 * Attach it to a client with `interceptor`, or per call with `callCredentials`.
 */
export class IdentityCredentials {
  /** Per-call credentials adding the `x-ensemble-identity` header (`{ credentials }` in a call's options). */
  readonly callCredentials: grpc.CallCredentials;
  /**
   * A client interceptor that gives every call of the client these
   * credentials: `unit.client(name, Ctor, { interceptors: [id.interceptor] })`.
   */
  readonly interceptor: grpc.Interceptor;
  private cached: Cached | null = null;
  private pending: Promise<Cached> | null = null;

  constructor(
    /** The service name the assertions are for. */
    readonly audience: string,
    private readonly issue: IdentityIssuer,
    private readonly options: IdentityOptions = {},
  ) {
    this.callCredentials = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
      this.metadata().then(
        (md) => callback(null, md),
        (e: unknown) => callback(asCallError(e)),
      );
    });
    this.interceptor = (callOptions, nextCall) => new grpc.InterceptingCall(nextCall({ ...callOptions, credentials: this.callCredentials }));
  }

  /** A valid assertion (cached; refreshed after half its lifetime). Rejects when the supervisor refuses or cannot be reached. */
  async assertion(): Promise<string> {
    const now = Date.now();
    const c = this.cached;
    if (c && now < c.refreshAtMs) return c.assertion;
    try {
      return (await this.refresh()).assertion;
    } catch (e) {
      // A failed early refresh keeps using the current assertion while it is valid.
      if (c && Date.now() < c.expiresAtMs - EXPIRY_MARGIN_MS) return c.assertion;
      throw e;
    }
  }

  /** Call metadata carrying a valid assertion in `x-ensemble-identity`. */
  async metadata(): Promise<grpc.Metadata> {
    const md = new grpc.Metadata();
    md.set(IDENTITY_HEADER, await this.assertion());
    return md;
  }

  private refresh(): Promise<Cached> {
    this.pending ??= (async () => {
      try {
        const requested = Date.now();
        const { assertion, expiresAtMs } = await this.issue(this.audience, this.options.ttlMs ?? 0);
        const next = { assertion, expiresAtMs, refreshAtMs: requested + (expiresAtMs - requested) / 2 };
        this.cached = next;
        return next;
      } finally {
        this.pending = null;
      }
    })();
    return this.pending;
  }
}

/** The error a call fails with when no assertion could be had (keeps the supervisor's status code). */
function asCallError(e: unknown): Error & { code: grpc.status } {
  const err = new Error(`no identity assertion: ${(e as Error).message}`) as Error & { code: grpc.status };
  err.code = e instanceof EnsembleError ? statusForCode(e.code) : grpc.status.UNAVAILABLE;
  return err;
}
