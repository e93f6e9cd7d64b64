import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/common/version.js';
import { runCli } from '../helpers/run-cli.js';

describe('VERSION', () => {
  it('is the version in package.json (from src/ through tsx; the built CLI prints it too)', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(VERSION).not.toBe('0.0.0');
    // the built CLI finds package.json from dist/src/common/ too (`npm test` builds first)
    const r = await runCli(['--version'], { from: 'dist', timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
