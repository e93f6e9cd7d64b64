import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The figure scripts other issues own; the harness only runs them and keeps their output. */
export const LATER_STAGE_SCRIPTS = [
  { script: 'discovery.ts', title: 'Discovery: Find latency and throughput next to a raw grpc-js echo' },
  { script: 'fs.ts', title: 'File view: FUSE reads next to a minimal fuse-native file system and tmpfs' },
  { script: 'check-large.ts', title: '`supervisor check` of a 10,000-runner generated file' },
  { script: 'lifecycle.ts', title: 'Supervisor lifecycle figures' },
] as const;

/** Workload 7: the outcome of one figure script. */
export interface LaterStageResult {
  readonly script: string;
  readonly title: string;
  readonly status: 'ok' | 'missing' | 'failed' | 'skipped';
  /** What the script printed (stdout), or why it failed / was skipped. */
  readonly output: string;
}

/**
 * Run each figure script that exists with tsx and its own defaults, one after
 * another, each with a time limit.
 */
export async function runLaterStage(repoRoot: string, options: { skip: boolean; timeoutMs: number }): Promise<LaterStageResult[]> {
  const out: LaterStageResult[] = [];
  for (const { script, title } of LATER_STAGE_SCRIPTS) {
    const path = join(repoRoot, 'bench', script);
    if (!existsSync(path)) {
      out.push({ script, title, status: 'missing', output: `bench/${script} is not there yet` });
    } else if (options.skip) {
      out.push({ script, title, status: 'skipped', output: 'skipped (--quick or --no-later)' });
    } else {
      out.push({ script, title, ...(await runScript(repoRoot, path, options.timeoutMs)) });
    }
  }
  return out;
}

function runScript(repoRoot: string, path: string, timeoutMs: number): Promise<Pick<LaterStageResult, 'status' | 'output'>> {
  return new Promise((resolve) => {
    const tsx = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    // Own process group, so a timeout ends the script and whatever it started.
    const child = spawn(process.execPath, [tsx, path], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ status: 'ok', output: stdout.trim() });
      else {
        const last = (stderr + '\n' + stdout).split('\n').map((l) => l.trim()).filter(Boolean);
        const why = stderr.split('\n').map((l) => l.trim()).find((l) => /error/i.test(l)) ?? last[last.length - 1] ?? '';
        resolve({ status: 'failed', output: `exit ${signal ?? code}: ${why.slice(0, 300)}` });
      }
    });
    child.on('error', (err) => resolve({ status: 'failed', output: err.message }));
  });
}
