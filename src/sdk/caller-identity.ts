import type * as grpc from '@grpc/grpc-js';
import { IDENTITY_HEADER } from '../wire/headers.js';
import { PermissionError } from '../common/errors.js';

/** Who called: what a verified identity assertion proves. */
export interface CallerIdentity {
  /** The calling unit's name. */
  readonly unit: string;
  /** Opaque id of the caller's start (changes when the caller restarts). */
  readonly instance: string;
  /** When the assertion expires (epoch ms). */
  readonly expiresAtMs: number;
}

/** Options of `unit.callerIdentity()`. */
export interface CallerIdentityOptions {
  /**
   * The audience the assertion must name. Default: the discovery name this
   * unit registered for the service the call came to.
   */
  readonly audience?: string;
}

/** Checks an assertion with the supervisor (`VerifyIdentity`). */
export type IdentityCheck = (assertion: string, audience: string) => Promise<CallerIdentity>;

/** Verified assertions kept at most (expired ones go first, then the oldest). */
const MAX_CACHED = 1024;

/**
 * The server side of unit identity: takes the assertion a call presents in
 * `x-ensemble-identity`, has the supervisor verify it for the audience, and
 * remembers the answer until the assertion expires (so a publisher's stream
 * of calls costs one verification per assertion). Anything else in the
 * metadata, and any name in the request, is ignored.
 */
export class CallerIdentityVerifier {
  private readonly verified = new Map<string, CallerIdentity>();
  private readonly pending = new Map<string, Promise<CallerIdentity>>();

  constructor(private readonly check: IdentityCheck) {}

  /** The verified caller of a call with `metadata`, for `audience`. Rejects with PermissionError. */
  async verify(metadata: grpc.Metadata, audience: string): Promise<CallerIdentity> {
    const assertion = metadata.get(IDENTITY_HEADER)[0];
    if (typeof assertion !== 'string' || assertion === '') {
      throw new PermissionError(`this call needs the caller's identity assertion for "${audience}" in the "${IDENTITY_HEADER}" header (the SDK's unit.identityFor("${audience}"))`);
    }
    const key = `${audience}\n${assertion}`;
    const hit = this.verified.get(key);
    if (hit) {
      if (Date.now() < hit.expiresAtMs) return hit;
      this.verified.delete(key);
    }
    let p = this.pending.get(key);
    if (!p) {
      p = this.check(assertion, audience).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    const identity = await p;
    this.remember(key, identity);
    return identity;
  }

  private remember(key: string, identity: CallerIdentity): void {
    if (this.verified.size >= MAX_CACHED) {
      const now = Date.now();
      for (const [k, v] of this.verified) if (now >= v.expiresAtMs) this.verified.delete(k);
      if (this.verified.size >= MAX_CACHED) this.verified.delete(this.verified.keys().next().value as string);
    }
    this.verified.set(key, identity);
  }
}

/** The full proto service name of a server call (`/pkg.Svc/Method` → `pkg.Svc`), or ''. */
export function calledService(call: { getPath?: () => string }): string {
  const path = typeof call.getPath === 'function' ? call.getPath() : '';
  return /^\/([^/]+)\//.exec(path)?.[1] ?? '';
}
