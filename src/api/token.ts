import type { Metadata } from '@grpc/grpc-js';
import { PermissionError } from '../common/errors.js';
import { TOKEN_HEADER } from '../wire/headers.js';

export { TOKEN_HEADER } from '../wire/headers.js';

/** The token sent with a call, or null. */
export function tokenOf(metadata: Metadata): string | null {
  const value = metadata.get(TOKEN_HEADER)[0];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/**
 * The unit a call acts for: the token's unit. `claimed` (the unit name in the
 * request, may be empty) must be that unit. Throws PermissionError otherwise.
 */
export function authenticateUnit(metadata: Metadata, claimed: string, unitForToken: (token: string) => string | null, what: string): string {
  const token = tokenOf(metadata);
  if (token === null) throw new PermissionError(`${what} needs the unit's ENSEMBLE_TOKEN in the "${TOKEN_HEADER}" header`);
  const unit = unitForToken(token);
  if (unit === null) throw new PermissionError(`${what}: the token does not belong to any unit`);
  if (claimed !== '' && claimed !== unit) throw new PermissionError(`${what}: unit "${unit}" cannot act as unit "${claimed}"`);
  return unit;
}
