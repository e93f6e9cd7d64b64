import { existsSync } from 'node:fs';
import { SupervisorClient } from '../../../src/api/supervisor-client.js';
import type { UnitMessage } from '../../../src/api/supervisor-messages.js';
import { isAlive } from '../../helpers/processes.js';
import { spawnCli, type SupervisorChild } from '../../helpers/supervisor-child.js';
import { makeTempHome, type TempHome } from '../../helpers/temp-home.js';
import { waitFor } from '../../helpers/wait-for.js';

/** A real `supervisor run FILE` child with an API client, cleaned up by {@link ReloadSystem.cleanup}. */
export interface ReloadSystem {
  readonly home: TempHome;
  readonly child: SupervisorChild;
  readonly client: SupervisorClient;
  /** Unit name → state and pid, as the API reports them. */
  units(): Promise<UnitMessage[]>;
  /** Unit name → pid of every unit with a process. */
  pids(): Promise<Map<string, number>>;
  /** Wait until every unit is `ready` (or the named ones are in the given states). */
  settled(expect?: Record<string, string>): Promise<UnitMessage[]>;
  cleanup(): void;
}

/** Start `supervisor run system.ensemble` (JSON log, no file view) in a fresh home with `files` written. */
export async function startReloadSystem(files: Record<string, string>, args: string[] = [], options: AttachOptions = {}): Promise<ReloadSystem> {
  const home = makeTempHome();
  for (const [name, text] of Object.entries(files)) home.write(name, text);
  return attach(home, args, options);
}

/** Options of {@link attach}. */
export interface AttachOptions {
  /** Wait for the API socket and the "supervisor running" line (default true). */
  readonly waitSocket?: boolean;
  /** Mount the file view here (default: `--no-fs`). */
  readonly mount?: string;
}

/** Start (again) a supervisor on an existing home. */
export async function attach(home: TempHome, args: string[] = [], { waitSocket = true, mount }: AttachOptions = {}): Promise<ReloadSystem> {
  const fs = mount === undefined ? ['--no-fs'] : ['--mount', mount];
  const child = spawnCli(home, ['run', 'system.ensemble', ...fs, '--log-format', 'json', ...args], { cwd: home.dir, env: { ENSEMBLE_SUPERVISOR: '' } });
  const client = new SupervisorClient({ address: home.paths.apiAddress, how: 'test' });
  const system: ReloadSystem = {
    home,
    child,
    client,
    units: () => client.listUnits(),
    async pids() {
      return new Map((await client.listUnits()).filter((u) => u.pid !== undefined).map((u) => [u.name, u.pid as number]));
    },
    settled(expected) {
      return waitFor(
        `units to settle ${expected ? JSON.stringify(expected) : '(all ready)'}`,
        async () => {
          if (child.process.exitCode !== null) throw new Error(`the supervisor exited: ${child.stderr()}`);
          const units = await client.listUnits();
          const ok = expected ? Object.entries(expected).every(([n, s]) => units.find((u) => u.name === n)?.state === s) : units.every((u) => u.state === 'ready');
          return ok ? units : null;
        },
        { timeoutMs: 90_000, intervalMs: 100 },
      );
    },
    cleanup() {
      client.close();
      child.kill();
    },
  };
  if (waitSocket) {
    await waitFor('the API socket', () => {
      if (child.process.exitCode !== null) throw new Error(`the supervisor exited: ${child.stderr()}`);
      return existsSync(home.paths.apiSocket) && child.records.some((r) => r.msg === 'supervisor running');
    }, { timeoutMs: 90_000 });
  }
  return system;
}

/** Every pid of `before` that is not in `after` is gone from the machine. */
export function gone(pids: Iterable<number>): boolean {
  return [...pids].every((p) => !isAlive(p));
}

export { makeTempHome };
