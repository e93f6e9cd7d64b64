import { describe, expect, it } from 'vitest';
import { ownIds, resolveCredentials, runAsNameProblem, RunAsLookupError, systemUserDatabase } from '../../src/common/user-database.js';

describe('user-database (this machine: /etc/passwd, /etc/group, then getent)', () => {
  it('finds root by name and by id, and nobody for a name that does not exist', () => {
    const db = systemUserDatabase();
    expect(db.user('root')).toMatchObject({ name: 'root', uid: 0, gid: 0 });
    expect(db.user('0')).toMatchObject({ name: 'root', uid: 0 });
    expect(db.group('root')).toMatchObject({ name: 'root', gid: 0 });
    expect(db.user('no-such-user-ensemble')).toBeNull();
  });

  it('resolves run-as fields, and names the field at fault', () => {
    expect(resolveCredentials({})).toBeNull();
    expect(resolveCredentials({ user: 'root' })).toMatchObject({ uid: 0, gid: 0, userName: 'root', groups: 'init' });
    expect(resolveCredentials({ group: '0' })).toMatchObject({ uid: ownIds().uid, gid: 0, groups: [] });
    expect(() => resolveCredentials({ user: 'no-such-user-ensemble' })).toThrow(RunAsLookupError);
    expect(() => resolveCredentials({ groups: ['root', 'no-such-group-ensemble'] })).toThrow(expect.objectContaining({ field: 'groups', index: 1 }));
  });

  it('says what is wrong with a name before looking it up', () => {
    expect(['plant', '1001', 'a.b_c'].map(runAsNameProblem)).toEqual([null, null, null]);
    expect(runAsNameProblem('')).toBe('must not be empty');
    expect(runAsNameProblem('a b')).toBe('"a b" is not a user or group name');
    expect(runAsNameProblem('-x')).toBe('"-x" is not a user or group name');
    expect(runAsNameProblem('99999999999')).toMatch(/^99999999999 is not a valid id/);
  });
});
