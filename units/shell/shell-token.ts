import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../src/errors.js';

/**
 * The shell's access token: the `token` property when set, else the file
 * `token` in the unit's state directory (created with 32 random bytes,
 * mode 0600, on first start). Never logged.
 */
export function shellToken(property: string | null, stateDir: string | null): { token: string; source: string } {
  if (property !== null) {
    if (property.length < 16) throw new InvalidArgumentError('shell: property "token" must be at least 16 characters');
    return { token: property, source: 'the "token" property' };
  }
  if (!stateDir) throw new InvalidArgumentError('shell: no "token" property and no ENSEMBLE_STATE_DIR to keep a token file in');
  const file = join(stateDir, 'token');
  try {
    const held = readFileSync(file, 'utf8').trim();
    if (held.length >= 16) return { token: held, source: file };
  } catch {
    // first start: create it below
  }
  const token = randomBytes(32).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, source: file };
}

/** Constant-time check of an `Authorization: Bearer …` header. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1] as string);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
