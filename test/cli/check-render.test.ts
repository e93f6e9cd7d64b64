import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { makeTempDir, type TempDir } from '../helpers/temp-home.js';

// The real built binary (`npm test` builds before running the suite).

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(args, { from: 'dist', cwd, env });
}

let scratch: TempDir;
let dir: string;
beforeEach(() => {
  scratch = makeTempDir('ensemble-cli-');
  dir = scratch.dir;
});
afterEach(() => scratch.cleanup());

const GOOD = `runner store "@ensemble/store"
runner host "./host.js" {
  service runner a "cat" {}
  service runner b "cat" {}
}
compose service events "@ensemble/events" { retention: "1h" }
runner api "./api.js" on "edge-2" { depends_on: [store] }
runner {{ params.extra | default: "extra" }} "./x.js" { depends_on: [store] }
network "plant" { listen: "127.0.0.1:7600" token: "{{ env.TOKEN }}" }
`;

describe('supervisor check', () => {
  it('exits 0 with a one-line summary for a valid file', async () => {
    await writeFile(path.join(dir, 'system.ensemble'), GOOD);
    const r = await cli(['check', 'system.ensemble', '--node', 'edge-1', '--set', 'extra=worker'], dir, { TOKEN: 't0ken' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ok: system.ensemble: 4 units (1 host, 2 services), 1 on other nodes, network "plant"\n');
    expect(r.stderr).toBe('');
  });

  it('exits 1 with every diagnostic and a count line', async () => {
    await writeFile(path.join(dir, 'bad.ensemble'), `runner a "a.js" {\n  restart { backoff: 5 }\n  depends_on: [nope]\n}\nrunner a "b.js"\n`);
    const r = await cli(['check', 'bad.ensemble'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        'bad.ensemble:2:22: restart.backoff: expected a duration such as "250ms" or "30s", got the number 5',
        '    restart { backoff: 5 }',
        '                       ^',
        'bad.ensemble:3:16: depends_on: unknown unit "nope"',
        '    depends_on: [nope]',
        '                 ^',
        'bad.ensemble:5:8: duplicate unit name "a" (first declared at bad.ensemble:1:8)',
        '  runner a "b.js"',
        '         ^',
        'bad.ensemble: 3 errors',
        '',
      ].join('\n'),
    );
  });

  it('rejects a bad --set in one line with exit 1', async () => {
    await writeFile(path.join(dir, 'system.ensemble'), 'runner a "a"\n');
    const r = await cli(['check', 'system.ensemble', '--set', 'novalue'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('supervisor: --set expects key=value with a name as key, got "novalue"\n');
  });

  it('reports a missing file as an error, not a crash', async () => {
    const r = await cli(['check', 'missing.ensemble'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^missing\.ensemble:1:1: cannot read the ensemble file: file not found\n/);
  });
});

describe('supervisor render', () => {
  it('prints the plan as text with the token masked', async () => {
    await writeFile(path.join(dir, 'system.ensemble'), GOOD);
    const r = await cli(['render', 'system.ensemble', '--node', 'edge-1'], dir, { TOKEN: 't0ken' });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('t0ken');
    expect(r.stdout).toContain('network "plant": listen 127.0.0.1:7600; peers (none); token ********');
    expect(r.stdout).toContain('unit host (node)');
    expect(r.stdout).toContain('unit events (builtin, compose service)');
    expect(r.stdout).toContain('on other nodes: api (edge-2)');
    expect(r.stdout).toMatch(/unit extra \(node\)\n {2}command {5}\S+\/x\.js\n/);
  });

  it('prints the plan as JSON with --json, token masked', async () => {
    await writeFile(path.join(dir, 'system.ensemble'), GOOD);
    const r = await cli(['render', 'system.ensemble', '--json', '--node', 'edge-2'], dir, { TOKEN: 't0ken' });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { node: string; units: { name: string }[]; network: { token: string } };
    expect(plan.node).toBe('edge-2');
    expect(plan.units.map((u) => u.name)).toEqual(['store', 'host', 'events', 'api', 'extra']);
    expect(plan.network.token).toBe('********');
    expect(r.stdout).not.toContain('t0ken');
  });

  it('exits 1 with diagnostics for an invalid file', async () => {
    await writeFile(path.join(dir, 'bad.ensemble'), 'runner a "a" if "1" {}\n');
    const r = await cli(['render', 'bad.ensemble'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.ensemble:1:18: condition "1": a condition must be true or false, got the number 1');
  });
});
