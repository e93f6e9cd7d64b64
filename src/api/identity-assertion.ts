import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { PermissionError } from '../common/errors.js';
import { validateServiceName } from './registration-validation.js';

export { IDENTITY_HEADER } from '../wire/headers.js';

/** Lifetime of an assertion when the caller asks for none, and the longest one issued. */
export const DEFAULT_IDENTITY_TTL_MS = 5 * 60_000;

/** Longest assertion text looked at (a real one is about 250 characters). */
const MAX_ASSERTION_LENGTH = 4096;
/** Format tag: the first dot-separated part of every assertion. */
const FORMAT = 'ens1';
/** Issued instances kept for the restart check before dead ones are swept. */
const SWEEP_AT = 256;

/** What a verified assertion proves. */
export interface IdentityClaims {
  /** The unit the assertion was issued to. */
  readonly unit: string;
  /** The service name it may be presented to. */
  readonly audience: string;
  /** Opaque id of the unit's start it was issued to (never the token). */
  readonly instance: string;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
}

/** An issued assertion. */
export interface IssuedIdentity {
  readonly assertion: string;
  readonly expiresAtMs: number;
}

/** Options of an {@link IdentityAuthority}. */
export interface IdentityAuthorityOptions {
  /** The unit whose current `ENSEMBLE_TOKEN` this is, or null (SupervisorControl.unitForToken). */
  readonly unitForToken: (token: string) => string | null;
  /** Clock (epoch ms). */
  readonly now?: () => number;
}

/**
 * Issues and verifies audience-bound identity assertions, the supervisor's
 * equivalent of SPIFFE JWT-SVIDs or Kubernetes bound service-account tokens,
 * simplified: `ens1.<claims>.<mac>` where claims is base64url JSON
 * `{sub, aud, ins, iat, exp}` and mac the HMAC-SHA256 of `ens1.<claims>` with
 * a random secret that lives only in this object (a supervisor restart makes
 * every earlier assertion invalid).
 *
 * `ins` identifies the unit's start: an HMAC of its token, so the assertion
 * never carries the token and stops being valid when the unit stops or
 * restarts (its token then belongs to no unit).
 */
export class IdentityAuthority {
  private readonly secret = randomBytes(32);
  /** instance → the token it was derived from (held in memory like the supervisor's own copy). */
  private readonly instances = new Map<string, string>();
  private sweepAt = SWEEP_AT;
  private readonly unitForToken: (token: string) => string | null;
  private readonly now: () => number;

  constructor(options: IdentityAuthorityOptions) {
    this.unitForToken = options.unitForToken;
    this.now = options.now ?? Date.now;
  }

  /**
   * An assertion for `unit` (already authenticated by `token`) to present to
   * `audience`, valid for `ttlMs` (0: the default; at most the default).
   */
  issue(unit: string, token: string, audience: string, ttlMs = 0): IssuedIdentity {
    validateServiceName(audience, 'audience');
    const ttl = ttlMs > 0 ? Math.min(ttlMs, DEFAULT_IDENTITY_TTL_MS) : DEFAULT_IDENTITY_TTL_MS;
    const instance = this.mac(`instance\0${token}`).subarray(0, 16).toString('base64url');
    if (!this.instances.has(instance)) {
      if (this.instances.size >= this.sweepAt) this.sweep();
      this.instances.set(instance, token);
    }
    const iat = this.now();
    const exp = iat + ttl;
    const claims = Buffer.from(JSON.stringify({ sub: unit, aud: audience, ins: instance, iat, exp }), 'utf8').toString('base64url');
    const signed = `${FORMAT}.${claims}`;
    return { assertion: `${signed}.${this.mac(signed).toString('base64url')}`, expiresAtMs: exp };
  }

  /**
   * Check `assertion` presented to `audience`. Throws PermissionError (one
   * line, never echoing the assertion) for a malformed or forged assertion,
   * another audience, an expired one, or a unit that stopped or restarted.
   */
  verify(assertion: string, audience: string): IdentityClaims {
    if (assertion === '') throw new PermissionError('no identity assertion');
    if (audience === '') throw new PermissionError('VerifyIdentity needs the audience (the verifier\'s service name)');
    const parts = assertion.length <= MAX_ASSERTION_LENGTH ? assertion.split('.') : [];
    const [format, claimsPart, macPart] = parts;
    if (parts.length !== 3 || format !== FORMAT || !claimsPart || !macPart) throw new PermissionError('the identity assertion is malformed');
    const expected = this.mac(`${format}.${claimsPart}`);
    const given = Buffer.from(macPart, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new PermissionError('the identity assertion has a bad signature (forged, altered, or issued by another supervisor or an earlier run)');
    }
    const claims = parseClaims(claimsPart);
    if (claims.audience !== audience) throw new PermissionError(`the identity assertion is for audience "${claims.audience}", not "${audience}"`);
    if (this.now() >= claims.expiresAtMs) throw new PermissionError(`the identity assertion of unit "${claims.unit}" has expired`);
    const token = this.instances.get(claims.instance);
    if (token === undefined || this.unitForToken(token) !== claims.unit) {
      throw new PermissionError(`the identity assertion was issued to a start of unit "${claims.unit}" that is no longer running`);
    }
    return claims;
  }

  /** Forget instances whose token belongs to no unit any more (their assertions fail anyway). */
  private sweep(): void {
    for (const [instance, token] of this.instances) if (this.unitForToken(token) === null) this.instances.delete(instance);
    this.sweepAt = Math.max(SWEEP_AT, this.instances.size * 2);
  }

  private mac(text: string): Buffer {
    return createHmac('sha256', this.secret).update(text, 'utf8').digest();
  }
}

/** Decode the (already authenticated) claims part. */
function parseClaims(part: string): IdentityClaims {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    raw = null;
  }
  const c = raw as Record<string, unknown> | null;
  if (!c || typeof c.sub !== 'string' || typeof c.aud !== 'string' || typeof c.ins !== 'string' || typeof c.iat !== 'number' || typeof c.exp !== 'number') {
    throw new PermissionError('the identity assertion is malformed');
  }
  return { unit: c.sub, audience: c.aud, instance: c.ins, issuedAtMs: c.iat, expiresAtMs: c.exp };
}
