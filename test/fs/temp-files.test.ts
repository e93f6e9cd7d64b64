import { describe, expect, it } from 'vitest';
import { FileViewError } from '../../src/fs/errno.js';
import { isTempName, TempFiles } from '../../src/fs/temp-files.js';

const errnoOf = (f: () => unknown): string | null => {
  try {
    f();
    return null;
  } catch (e) {
    return e instanceof FileViewError ? e.errno : String(e);
  }
};

describe('TempFiles', () => {
  it('holds positional writes, truncation and moves', () => {
    const temps = new TempFiles();
    const f = temps.create('/units/u/sedX', 0o600, 0, 0);
    temps.write(f, Buffer.from('world'), 6);
    temps.write(f, Buffer.from('hello'), 0);
    expect(temps.text(f)).toBe('hello\0world');
    temps.truncate(f, 5);
    expect(temps.text(f)).toBe('hello');
    expect(temps.read(f, 1, 3).toString()).toBe('ell');
    temps.move('/units/u/sedX', '/units/u/.x.swp');
    expect(temps.get('/units/u/sedX')).toBeNull();
    expect(temps.names('/units/u')).toEqual(['.x.swp']);
    expect(temps.remove('/units/u/.x.swp')).toBe(true);
    expect(temps.names('/units/u')).toEqual([]);
  });

  it('bounds the count per directory, the size of one file and the total', () => {
    const temps = new TempFiles({ perDir: 2, fileBytes: 10, totalBytes: 300, idleMs: 1000 });
    const a = temps.create('/d/a', 0o600, 0, 0);
    temps.create('/d/b', 0o600, 0, 0);
    expect(errnoOf(() => temps.create('/d/c', 0o600, 0, 0))).toBe('ENOSPC');
    temps.create('/e/c', 0o600, 0, 0);
    expect(errnoOf(() => temps.move('/e/c', '/d/c'))).toBe('ENOSPC');
    expect(errnoOf(() => temps.write(a, Buffer.alloc(11), 0))).toBe('EFBIG');
    temps.write(a, Buffer.alloc(10), 0);
    const bytes = new TempFiles({ perDir: 10, fileBytes: 1000, totalBytes: 300, idleMs: 1000 });
    bytes.write(bytes.create('/d/a', 0o600, 0, 0), Buffer.alloc(200), 0);
    expect(errnoOf(() => bytes.write(bytes.create('/d/b', 0o600, 0, 0), Buffer.alloc(200), 0))).toBe('ENOSPC');
  });

  it('drops a temporary file nobody has open after it was idle, never an open one', () => {
    let now = 0;
    const temps = new TempFiles({ perDir: 10, fileBytes: 100, totalBytes: 1000, idleMs: 1000 }, () => now);
    temps.create('/d/closed', 0o600, 0, 0);
    const open = temps.create('/d/open', 0o600, 0, 0);
    open.opens = 1;
    now = 5000;
    expect(temps.get('/d/closed')).toBeNull();
    expect(temps.get('/d/open')).not.toBeNull();
    expect(temps.names('/d')).toEqual(['open']);
  });
});

describe('isTempName', () => {
  it('accepts the names editors and tools use for temporary files, and nothing that looks like a value', () => {
    for (const n of ['.setpoint.swp', '.setpoint.AbC123', 'setpoint~', 'setpoint.bak', '#setpoint#', 'sedAb12Cd', 'XXPGzTMb', '4913', 'tmpk2j3h4', 'setpoint.tmp', '.fuse_hidden0000000300000001', 'x.part']) {
      expect(isTempName(n), n).toBe(true);
    }
    for (const n of ['setpont', 'newfile', 'temprature', 'config', 'sedan', 'x.yaml']) expect(isTempName(n), n).toBe(false);
  });
});
