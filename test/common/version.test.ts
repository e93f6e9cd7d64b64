import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/common/version.js';

describe('VERSION', () => {
  it('is the version in package.json (from src/ through tsx; the built CLI prints it too)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(VERSION).not.toBe('0.0.0');
    // the built CLI finds package.json from dist/src/common/ too (`npm test` builds first)
    const bin = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8', timeout: 60_000 }).trim()).toBe(pkg.version);
  });
});
