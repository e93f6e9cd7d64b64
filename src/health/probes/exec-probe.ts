import { spawn } from 'node:child_process';
import type { Probe, ProbeResult, ProbeTarget } from '../../supervisor/health-services.js';
import { errorText, fail, pass, withDeadline } from './deadline.js';

/** How much of the command's output is kept for the result's detail. */
const OUTPUT_TAIL = 200;

/**
 * `exec:COMMAND`: runs `argv` without a shell in the unit's working directory,
 * with the supervisor's environment plus the target's variables (as the unit
 * itself gets them); exit status 0 passes. The command runs in its own process
 * group, which is killed (SIGKILL) when the probe ends — at the timeout, and
 * also after a normal exit so nothing a probe started outlives it.
 */
export class ExecProbe implements Probe {
  readonly description: string;

  constructor(
    readonly argv: readonly string[],
    private readonly target: ProbeTarget,
  ) {
    this.description = `exec:${argv.join(' ')}`;
  }

  check(timeoutMs: number): Promise<ProbeResult> {
    return withDeadline(timeoutMs, (signal) =>
      new Promise<ProbeResult>((resolve) => {
        const [file, ...args] = this.argv;
        if (file === undefined) {
          resolve(fail('empty exec probe command'));
          return;
        }
        let output = '';
        const keep = (chunk: Buffer): void => {
          output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
        };
        const child = spawn(file, args, {
          cwd: this.target.cwd,
          // Like the unit itself: the supervisor's environment with the unit's variables on top.
          env: probeEnvironment(this.target),
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const killGroup = (): void => {
          if (child.pid === undefined) return;
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        };
        const onAbort = (): void => killGroup();
        signal.addEventListener('abort', onAbort, { once: true });
        child.stdout.on('data', keep);
        child.stderr.on('data', keep);
        const finish = (result: ProbeResult): void => {
          signal.removeEventListener('abort', onAbort);
          killGroup();
          child.stdout.destroy();
          child.stderr.destroy();
          resolve(result);
        };
        child.once('error', (error) => finish(fail(`${file}: ${errorText(error)}`)));
        child.once('exit', (code, sig) => {
          const tail = output.replace(/\s+/g, ' ').trim();
          const suffix = tail ? `: ${tail}` : '';
          if (code === 0) finish(pass(`exit 0${suffix}`));
          else finish(fail(sig !== null ? `killed by ${sig}${suffix}` : `exit ${code ?? '?'}${suffix}`));
        });
      }),
    );
  }
}

/** The supervisor's environment minus what fed a secret, with the unit's variables on top. */
function probeEnvironment(target: ProbeTarget): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of target.withheldEnv ?? []) delete env[name];
  delete env.ENSEMBLE_NETWORK_TOKEN;
  return Object.assign(env, target.env);
}
