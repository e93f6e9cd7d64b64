import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/supervisor-child.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

/** Every probe form docs/health.md documents; `supervisor check` must accept each (the compiler once refused grpc:SERVICE and tcp:HOST:PORT). */
const DOCUMENTED = [
  'grpc',
  'grpc:ensemble.store.v1.Store',
  'tcp:8080',
  'tcp:db.local:5432',
  'tcp:10.0.0.1:7600',
  'tcp:[::1]:8080',
  'http://127.0.0.1:8080/healthz',
  'https://example.test/ready',
  `exec:test -f "/tmp/a b"`,
];

/** Forms that are no probe, with the column-exact line `check` prints (runner i sits on line i+1). */
const INVALID: readonly (readonly [string, string])[] = [
  ['ftp://x', 'invalid probe "ftp://x": expected grpc, grpc:SERVICE, tcp:PORT, tcp:HOST:PORT, tcp:[IPV6]:PORT, http://…, https://… or exec:COMMAND'],
  ['tcp:x', 'invalid probe "tcp:x": "x" is not a port number'],
  ['tcp:70000', 'invalid probe "tcp:70000": port 70000 is out of range 1-65535'],
  ['tcp:::1:80', 'invalid probe "tcp:::1:80": write an IPv6 host in brackets ([ADDRESS]:PORT)'],
  ['exec:', 'invalid probe "exec:": exec: needs a command'],
  [`exec:echo "x`, `invalid probe "exec:echo "x": unterminated double quote`],
];

const runner = (i: number, probe: string): string => `runner u${i} "/bin/true" { health { probe: ${JSON.stringify(probe)} } }`;

async function check(home: TempHome, text: string): Promise<{ code: number | null; stderr: string }> {
  home.write('system.ensemble', text);
  const cli = spawnCli(home, ['check', home.file]);
  const { code } = await cli.exited;
  return { code, stderr: cli.stderr() };
}

let home: TempHome;
beforeEach(() => {
  home = makeTempHome();
});
afterEach(() => {
  home.cleanup();
});

describe('supervisor check: health probe forms', () => {
  it('accepts every documented form', async () => {
    const r = await check(home, DOCUMENTED.map((p, i) => runner(i, p)).join('\n') + '\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('refuses anything else with one line per probe: file:line:col, the field and what is wrong', async () => {
    const r = await check(home, INVALID.map(([p], i) => runner(i, p)).join('\n') + '\n');
    expect(r.code).not.toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('system.ensemble:'));
    const col = runner(0, '').indexOf('probe: ') + 'probe: '.length + 1;
    expect(lines.slice(0, INVALID.length)).toEqual(INVALID.map(([, message], i) => `system.ensemble:${i + 1}:${col}: health.probe: ${message}`));
  });
});
