import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runEnsemble, unitMain, type EnsembleRun } from '../helpers/run-ensemble.js';

interface RunReply {
  exit_code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timed_out: boolean;
}

const runs: EnsembleRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop()));
});

async function post(url: string, script: string, token: string | null): Promise<{ status: number; body: RunReply & { error?: string } }> {
  const res = await fetch(`${url}/run`, { method: 'POST', body: script, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as RunReply & { error?: string } };
}

describe('@ensemble/shell', () => {
  it('runs POSTed scripts with bash and the system in their environment, behind a token, with a timeout and an output limit', async () => {
    const run = await runEnsemble(`
runner shell "${unitMain('shell')}" {
  readiness: notify
  properties { timeout: "1s"  max_output: "1KB" }
}
`);
    runs.push(run);
    await run.waitAllReady();
    const url = await (await run.resources('shell')).read('address');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const token = readFileSync(join(run.home.paths.unitStateDir('shell'), 'token'), 'utf8').trim();

    expect((await post(url, 'echo no', null)).status).toBe(401);
    expect((await post(url, 'echo no', 'x'.repeat(64))).status).toBe(401);

    const ok = await post(url, 'echo hi; echo oops >&2; echo "$ENSEMBLE_SUPERVISOR"; echo "$ENSEMBLE_FS"; echo "token:${ENSEMBLE_TOKEN:-none}"; exit 3', token);
    expect(ok.status).toBe(200);
    expect(ok.body.exit_code).toBe(3);
    const lines = ok.body.stdout.trim().split('\n');
    expect(lines[0]).toBe('hi');
    expect(lines[1]).toBe(run.home.paths.apiAddress);
    expect(lines[2]).toBe(run.home.paths.mountDir);
    expect(lines[3]).toBe('token:none');
    expect(ok.body.stderr).toBe('oops\n');

    const slow = await post(url, 'sleep 30; echo never', token);
    expect(slow.body).toMatchObject({ timed_out: true, exit_code: null, signal: 'SIGKILL' });

    const big = await post(url, "head -c 5000 /dev/zero | tr '\\0' a", token);
    expect(big.body.stdout).toHaveLength(1024);
    expect(big.body.truncated).toBe(true);

    await run.waitOutput(/run #2: killed after the 1000 ms timeout/);
    await run.waitOutput('refused a run from');
    expect(run.output()).not.toContain(token);
  });

  it('refuses to listen beyond loopback unless allow_remote is set', async () => {
    const run = await runEnsemble(`
runner shell "${unitMain('shell')}" {
  readiness: notify
  restart { policy: "never" }
  properties { listen: "0.0.0.0:0" }
}
`);
    runs.push(run);
    await run.waitUnit('shell', 'exited', (u) => u.exitCode !== undefined && u.exitCode !== 0);
    await run.waitOutput('a loopback address (set allow_remote: true');
  });
});
