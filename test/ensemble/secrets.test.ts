import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlan, renderPlanText } from '../../src/ensemble/index.js';
import { compileUnitSnippet } from '../../src/ensemble/compile-unit.js';
import { isSecretName, MASK, maskPlan, SecretRedactor } from '../../src/ensemble/secret-fields.js';
import { workspace, type Workspace } from './helpers.js';

// The one rule of what a file uses as a secret (docs/language.md "Secrets"),
// through the real compiler.
let ws: Workspace;
beforeAll(async () => {
  ws = await workspace();
});
afterAll(async () => {
  await ws.cleanup();
});

describe('isSecretName', () => {
  it('takes token, password, secret and qualified key names (last word), not store keys or paths', () => {
    for (const n of ['token', 'password', 'secret', 'key', 'api_key', 'apiKey', 'API-KEY', 'db_password', 'dbPassword', 'DB_PASSWORD', 'GITHUB_TOKEN', 'client_secret', 'private_key', 'AWS_SECRET_ACCESS_KEY', 'passwd', 'passphrase', 'tokens', 'apikey', 'auth.token']) {
      expect(isSecretName(n), n).toBe(true);
    }
    for (const n of ['store_key', 'keys', 'monkey', 'keyboard', 'token_file', 'password_file', 'key_path', 'tokenizer', 'secretary', 'interval', '']) {
      expect(isSecretName(n), n).toBe(false);
    }
  });
});

describe('SecretRedactor', () => {
  it('masks known values of at least 6 characters anywhere, the longest first', () => {
    const r = new SecretRedactor(['abc', 'hunter2', 'hunter2-long']);
    expect(r.redact('x hunter2-long y hunter2 abc')).toBe(`x ${MASK} y ${MASK} abc`);
  });
});

describe('secrets of a compiled plan', () => {
  const env = { PLANT_TOKEN: 'plant-token-1234567', DB_PASS: 'db-pass-secret', PART: 'shared-part', SHORT: 'ab', SITE: 'lab', UNREAD_COPY: 'db-pass-secret', OTHER: 'other-value' };

  it('withholds the variables that fed a secret, masks them in render, keeps them in the plan for the unit', async () => {
    const file = await ws.write(
      'a.ensemble',
      `network "plant" { listen: "127.0.0.1:7600"  token: "{{ env.PLANT_TOKEN }}" }
runner db "sleep" if "env.SITE == 'lab'" {
  arguments: ["--password", "{{ env.DB_PASS }}"]
  env { DB_PASSWORD: "{{ env.DB_PASS }}"  MODE: "fast" }
  properties { store_key: "host/load1"  auth { token: "{{ env.PART }}-{{ env.SHORT }}" }  list: [{ api_key: "k-123456789" }] }
}
`,
    );
    const plan = await loadPlan(file, { env, node: 'n' });
    const db = plan.units[0]!;
    // Equal to a secret (read or not), or read by the file and inside a secret (6+ characters).
    expect(db.withheldEnv).toEqual(['DB_PASS', 'PART', 'PLANT_TOKEN', 'UNREAD_COPY']);
    expect(db.env.DB_PASSWORD).toBe('db-pass-secret');
    expect(plan.network?.token).toBe('plant-token-1234567');
    const masked = maskPlan(plan);
    const json = JSON.stringify(masked);
    for (const v of ['plant-token-1234567', 'db-pass-secret', 'shared-part', 'k-123456789']) expect(json).not.toContain(v);
    const m = masked.units[0]!;
    expect(m.args).toEqual(['--password', MASK]);
    expect(m.env).toEqual({ DB_PASSWORD: MASK, MODE: 'fast' });
    expect(m.properties).toEqual({ store_key: 'host/load1', auth: { token: MASK }, list: [{ api_key: MASK }] });
    const text = renderPlanText(masked);
    expect(text).toContain('withheld    DB_PASS PART PLANT_TOKEN UNREAD_COPY');
    expect(text).not.toContain('db-pass-secret');
  });

  it('changes nothing for a file without secrets', async () => {
    const file = await ws.write('b.ensemble', `runner a "sleep" { arguments: "{{ env.OTHER }}" }\n`);
    const plan = await loadPlan(file, { env, node: 'n' });
    expect(plan.units[0]!.withheldEnv).toBeUndefined();
    expect(maskPlan(plan).units[0]!.args).toEqual(['other-value']);
  });

  it('gives a unit added at run time what the plan withholds plus what fed its own secrets', async () => {
    const file = await ws.write('c.ensemble', `network "plant" { listen: "127.0.0.1:7600"  token: "{{ env.PLANT_TOKEN }}" }\nrunner a "sleep" {}\n`);
    const plan = await loadPlan(file, { env, node: 'n' });
    const added = await compileUnitSnippet('runner b "sleep" { properties { password: "{{ env.DB_PASS }}" } }', { baseDir: ws.dir, plan, env });
    expect(added.withheldEnv).toEqual(['DB_PASS', 'PLANT_TOKEN', 'UNREAD_COPY']);
  });
});
