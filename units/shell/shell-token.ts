import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../src/sdk/host.js';
import { fsErrorText } from '../../src/common/fs-error-text.js';

/** Where the shell's token came from; `pending` while the token file could not be written yet. */
export interface ShellToken {
  readonly token: string;
  readonly source: string;
  /** The token file still to write (disk full or read-only at start) and why it failed, else null. */
  readonly pending: { readonly file: string; readonly reason: string } | null;
}

/**
 * The shell's access token: the `token` property when set, else the file
 * `token` in the unit's state directory (created with 32 random bytes,
 * mode 0600, on first start, written to a temporary file then renamed, so a
 * full disk never leaves an empty token file). When it cannot be written the
 * token is kept in memory and `pending` names the file; {@link storeToken}
 * tries again. Never logged.
 */
export function shellToken(property: string | null, stateDir: string | null): ShellToken {
  if (property !== null) {
    if (property.length < 16) throw new InvalidArgumentError('shell: property "token" must be at least 16 characters');
    return { token: property, source: 'the "token" property', pending: null };
  }
  if (!stateDir) throw new InvalidArgumentError('shell: no "token" property and no ENSEMBLE_STATE_DIR to keep a token file in');
  const file = join(stateDir, 'token');
  try {
    const held = readFileSync(file, 'utf8').trim();
    if (held.length >= 16) return { token: held, source: file, pending: null };
  } catch {
    // first start: create it below
  }
  const token = randomBytes(32).toString('hex');
  const reason = storeToken(file, token);
  return reason === null ? { token, source: file, pending: null } : { token, source: `memory (${file} not written yet)`, pending: { file, reason } };
}

/** Write `token` to `file` (mode 0600, atomically); the one-line cause when it failed, else null. */
export function storeToken(file: string, token: string): string | null {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(temp, `${token}\n`, { mode: 0o600 });
    renameSync(temp, file);
    return null;
  } catch (e) {
    rmSync(temp, { force: true });
    return fsErrorText(e);
  }
}

/** Constant-time check of an `Authorization: Bearer …` header. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1] as string);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
