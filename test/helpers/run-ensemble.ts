import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadProtos } from '../../src/wire/protos.js';
import { SupervisorClient } from '../../src/api/supervisor-client.js';
import type { UnitMessage } from '../../src/api/supervisor-messages.js';
import { isAlive, killPids, pidsWithEnv } from './processes.js';
import { makeTempHome, type TempHome } from './temp-home.js';
import { waitFor } from './wait-for.js';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The tsx loader as a URL (`--import tsx` would resolve from the temp working directory). */
const TSX_LOADER = import.meta.resolve('tsx');

/** Absolute path of a built-in unit's source entry (`units/<name>/main.ts`), so tests never run a stale build. */
export function unitMain(name: string): string {
  return join(ROOT, 'units', name, 'main.ts');
}

/** A real `supervisor run` child process over an ensemble file in a fresh temp home. */
export interface EnsembleRun {
  readonly home: TempHome;
  readonly proc: ChildProcess;
  readonly client: SupervisorClient;
  /** Everything the supervisor printed (JSON log lines, including the units' lines). */
  output(): string;
  /** Wait until every unit of the system is ready; returns their statuses. */
  waitAllReady(timeoutMs?: number): Promise<UnitMessage[]>;
  /** Wait until `unit` satisfies `predicate`. */
  waitUnit(unit: string, what: string, predicate: (u: UnitMessage) => boolean, timeoutMs?: number): Promise<UnitMessage>;
  /** Wait until the supervisor printed a line containing `text` (the units' own log lines included). */
  waitOutput(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** A client of the service `name` (found through discovery). */
  serviceClient<C extends grpc.Client>(name: string, Ctor: new (address: string, creds: grpc.ChannelCredentials) => C): Promise<C>;
  /** The Resources client of `unit`. */
  resources(unit: string): Promise<ResourcesClient>;
  /** SIGTERM the supervisor and wait for its exit (SIGKILL after a deadline); remove the temp home. */
  stop(): Promise<number | null>;
}

/** Promise-returning calls on a unit's `ensemble.resources.v1.Resources`. */
export interface ResourcesClient {
  list(): Promise<{ path: string; readable: boolean; writable: boolean; watchable: boolean }[]>;
  read(path: string): Promise<string>;
  write(path: string, value: string): Promise<void>;
  close(): void;
}

/** Options of {@link runEnsemble}. */
export interface RunEnsembleOptions {
  /** Extra files written into the temp home before start (name → content). */
  readonly files?: Readonly<Record<string, string>>;
  /** Extra `supervisor run` flags (default `--no-fs`). */
  readonly flags?: readonly string[];
  /** Extra environment of the supervisor. */
  readonly env?: Readonly<Record<string, string>>;
  /** Use this ensemble file instead of writing one into the temp home. */
  readonly file?: string;
}

/** Promisified unary call on any grpc-js client. */
export function call<Res>(client: grpc.Client, method: string, request: object, metadata = new grpc.Metadata()): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, (...a: unknown[]) => void>)[method];
    if (!fn) return reject(new Error(`no method ${method}`));
    fn.call(client, request, metadata, { deadline: Date.now() + 20_000 }, (e: grpc.ServiceError | null, res: Res) => (e ? reject(e) : resolve(res)));
  });
}

/** Start `supervisor run` (from source, through tsx) on `text`. */
export async function runEnsemble(text: string, options: RunEnsembleOptions = {}): Promise<EnsembleRun> {
  const home = makeTempHome();
  for (const [name, content] of Object.entries(options.files ?? {})) home.write(name, content);
  const file = options.file ?? home.write('system.ensemble', text);
  const paths = options.file ? (await import('../../src/common/runtime-dir.js')).runtimePaths(file, home.env) : home.paths;
  let out = '';
  const proc = spawn(process.execPath, ['--import', TSX_LOADER, join(ROOT, 'src', 'cli', 'main.ts'), 'run', file, '--log-format', 'json', ...(options.flags ?? ['--no-fs'])], {
    cwd: home.dir,
    env: { ...process.env, ...home.env, ...(options.env ?? {}), ENSEMBLE_SUPERVISOR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const client = new SupervisorClient({ address: paths.apiAddress, how: 'test' });
  const opened: grpc.Client[] = [];
  let exitCode: number | null | undefined;
  proc.on('exit', (code) => (exitCode = code));
  const run: EnsembleRun = {
    home,
    proc,
    client,
    output: () => out,
    waitAllReady(timeoutMs = 45_000) {
      return waitFor(
        'every unit ready',
        async () => {
          if (exitCode !== undefined) throw new Error(`supervisor exited (${exitCode}):\n${out.slice(-3000)}`);
          const units = await client.listUnits();
          return units.length > 0 && units.every((u) => u.state === 'ready') ? units : null;
        },
        { timeoutMs, intervalMs: 100 },
      ).catch(async (e: Error) => {
        const units = await client.listUnits().catch(() => []);
        throw new Error(`${e.message}\nunits: ${units.map((u) => `${u.name}=${u.state}${u.error ? ` (${u.error})` : ''}`).join(', ')}\n${out.slice(-4000)}`);
      });
    },
    waitUnit(unit, what, predicate, timeoutMs = 40_000) {
      return waitFor(`${unit}: ${what}`, async () => {
        const u = await client.getUnit(unit);
        return predicate(u) ? u : null;
      }, { timeoutMs, intervalMs: 100 });
    },
    waitOutput(text, timeoutMs = 30_000) {
      return waitFor(`output ${String(text)}`, () => {
        const line = out.split('\n').find((l) => (typeof text === 'string' ? l.includes(text) : text.test(l)));
        return line ?? null;
      }, { timeoutMs, intervalMs: 50 });
    },
    async serviceClient(name, Ctor) {
      const service = await waitFor(`service ${name}`, () => client.find(name).catch(() => null), { timeoutMs: 60_000, intervalMs: 100 });
      const c = new Ctor(service.address, grpc.credentials.createInsecure());
      opened.push(c);
      return c;
    },
    async resources(unit) {
      const { Resources } = loadProtos();
      const c = await run.serviceClient(`${unit}.resources`, Resources);
      return {
        list: () => call<{ resources: { path: string; readable: boolean; writable: boolean; watchable: boolean }[] }>(c, 'List', {}).then((r) => r.resources),
        read: (path) => call<{ value: string }>(c, 'Read', { path }).then((r) => r.value),
        write: (path, value) => call(c, 'Write', { path, value }).then(() => undefined),
        close: () => c.close(),
      };
    },
    async stop() {
      for (const c of opened) c.close();
      client.close();
      try {
        if (exitCode === undefined && proc.pid !== undefined) {
          proc.kill('SIGTERM');
          await waitFor('supervisor exit', () => exitCode !== undefined, { timeoutMs: 30_000 }).catch(() => {
            if (proc.pid !== undefined && isAlive(proc.pid)) killPids([proc.pid]);
          });
        }
      } finally {
        killPids(pidsWithEnv(`ENSEMBLE_SUPERVISOR=${paths.apiAddress}`));
        home.cleanup();
      }
      return exitCode ?? null;
    },
  };
  return run;
}
