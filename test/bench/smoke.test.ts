import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/harness.js';
import { metrics } from '../../bench/metrics.js';
import { cmdline, cwdPath, exePath, listPids } from '../../bench/proc.js';
import { makeTempDir, type TempDir } from '../helpers/temp-home.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Processes whose executable, command line or working directory lies under `root`. */
function processesUnder(root: string): number[] {
  return listPids().filter((pid) => {
    if (pid === process.pid) return false;
    return (exePath(pid) ?? '').startsWith(root) || cmdline(pid).includes(root) || (cwdPath(pid) ?? '').startsWith(root);
  });
}

describe('npm run bench (smoke: N = 5, one repetition, Ensemble and the minimal supervisor)', () => {
  let scratch: TempDir | undefined;
  afterEach(() => {
    scratch?.cleanup();
    scratch = undefined;
  });

  it('produces a figure for every workload for both peers and leaves no process behind', async () => {
    scratch = makeTempDir('bench-smoke-');
    const dir = scratch.dir;
    const json = join(dir, 'result.json');
    const args = [
      join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(repoRoot, 'bench', 'run.ts'),
      '--quick', '--n', '5', '--reps', '1', '--peers', 'ensemble,minimal',
      '--idle-seconds', '2', '--crash-seconds', '3', '--restarts', '5', '--samples', '2',
      '--no-docs', '--no-build', '--no-install', '--no-later', '--json', json,
    ];
    let output = '';
    const code = await new Promise<number | null>((done) => {
      const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('exit', (c) => done(c));
    });
    expect(code, output).toBe(0);

    const result = JSON.parse(readFileSync(json, 'utf8')) as BenchResult;
    expect(result.unavailable, output).toEqual([]);
    expect(result.errors, output).toEqual([]);
    expect(result.leftovers).toEqual([]);
    expect(processesUnder(result.root)).toEqual([]);

    // Workloads 1-6: a figure for each peer (the minimal supervisor has no start command that returns).
    for (const m of metrics(5, 5, 5, 2, 3)) {
      if (m.id === 'coldSmall' || m.id === 'coldSmallReturn' || m.id === 'stopSmall') continue; // N = n-small: no small cycle
      const peers = m.id === 'coldReturn' ? ['ensemble'] : ['ensemble', 'minimal'];
      for (const peer of peers) {
        const values = result.samples[m.id]?.[peer] ?? [];
        expect(values.length, `${m.id} for ${peer}`).toBeGreaterThan(0);
        for (const v of values) expect(Number.isFinite(v) && v >= 0, `${m.id} for ${peer}: ${v}`).toBe(true);
      }
    }
    expect(result.samples.restart?.ensemble).toHaveLength(2);
    expect(result.samples.idleCpu?.['ensemble+probes']?.length).toBe(1);
    expect(result.samples.crashStarts?.ensemble?.[0]).toBeGreaterThanOrEqual(1);

    // Workload 7 reports every figure script (skipped here), and every target gets a verdict.
    expect(result.laterStage.map((l) => l.script).sort()).toEqual(['check-large.ts', 'discovery.ts', 'fs.ts', 'lifecycle.ts']);
    expect(result.laterStage.every((l) => l.status === 'skipped' || l.status === 'missing')).toBe(true);
    expect(result.targets).toHaveLength(7);
    for (const t of result.targets) expect(['PASS', 'MISS', 'n/a']).toContain(t.verdict);
    expect(output).toContain('| # | figure | unit | ensemble | ensemble+probes | minimal |');
  }, 300_000);
});
