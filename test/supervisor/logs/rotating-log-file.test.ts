import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingLogFile } from '../../../src/supervisor/logs/rotating-log-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ens-log-'));
  dirs.push(dir);
  return join(dir, 'sub', 'u.log');
}

describe('RotatingLogFile', () => {
  it('rotates before a write would pass maxBytes and keeps `keep` old files', () => {
    const path = tempFile();
    const f = new RotatingLogFile(path, { maxBytes: 10, keep: 2 });
    for (const w of ['aaaa\n', 'bbbb\n', 'cccc\n', 'dddd\n', 'eeee\n', 'ffff\n', 'gggg\n']) f.write(w);
    f.close();
    expect(readFileSync(path, 'utf8')).toBe('gggg\n');
    expect(readFileSync(`${path}.1`, 'utf8')).toBe('eeee\nffff\n');
    expect(readFileSync(`${path}.2`, 'utf8')).toBe('cccc\ndddd\n');
    expect(existsSync(`${path}.3`)).toBe(false);
  });

  it('keep 0 truncates; a record bigger than maxBytes is still written whole', () => {
    const path = tempFile();
    const f = new RotatingLogFile(path, { maxBytes: 4, keep: 0 });
    f.write('12\n');
    f.write('a very long record\n');
    f.close();
    expect(readFileSync(path, 'utf8')).toBe('a very long record\n');
    expect(existsSync(`${path}.1`)).toBe(false);
  });

  it('appends to an existing file and counts its size', () => {
    const path = tempFile();
    const first = new RotatingLogFile(path, { maxBytes: 100, keep: 1 });
    first.write('x'.repeat(95) + '\n');
    first.close();
    const f = new RotatingLogFile(path, { maxBytes: 100, keep: 1 });
    f.write('next\n');
    f.close();
    expect(readFileSync(path, 'utf8')).toBe('next\n');
    expect(readFileSync(`${path}.1`, 'utf8')).toHaveLength(96);
  });

  it('reports a write error once and then stays quiet', () => {
    const errors: Error[] = [];
    const f = new RotatingLogFile('/proc/version/not-a-dir/u.log', { maxBytes: 100, keep: 1 }, (e) => errors.push(e));
    f.write('a\n');
    f.write('b\n');
    expect(errors).toHaveLength(1);
  });
});
