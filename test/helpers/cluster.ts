import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SupervisorClient } from '../../src/api/supervisor-client.js';
import { NetworkClient } from '../../src/network/network-client.js';
import { isAlive } from './processes.js';
import { REPO_ROOT, TSX_LOADER, type LogRecord } from './supervisor-child.js';
import { makeTempHome, type TempHome } from './temp-home.js';
import { waitFor } from './wait-for.js';

/** One `supervisor run` child of a network test. */
export interface NodeProcess {
  readonly name: string;
  readonly home: TempHome;
  readonly process: ChildProcess;
  readonly records: LogRecord[];
  /** stdout and stderr as text (to check that no secret was written). */
  output(): string;
  /** The TCP port the node listens on. */
  readonly port: number;
  /** Operator clients over the node's Unix socket. */
  readonly supervisor: SupervisorClient;
  readonly network: NetworkClient;
  waitRecord(what: string, predicate: (r: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  /** SIGKILL the supervisor (its units die with it). */
  kill(): void;
  /** SIGTERM, wait (bounded), SIGKILL leftovers, close clients. */
  stop(): Promise<void>;
}

/** Options of {@link startNode}. */
export interface NodeOptions {
  readonly name: string;
  /** The ensemble text; each node gets its own copy as `system.ensemble` in its home (as on separate machines). */
  readonly ensemble: string;
  /** Default: a fresh temp home (given when a node is restarted with its state). */
  readonly home?: TempHome;
  /** Default `127.0.0.1:0`; null: no --listen (the network block's `listen`). */
  readonly listen?: string | null;
  readonly peers?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly args?: readonly string[];
  /** Command run before node, e.g. `['ip', 'netns', 'exec', 'ns1']` (it must exec, not fork). */
  readonly prefix?: readonly string[];
}

/** Start `supervisor run FILE --node NAME --listen … --peer …` and wait until its network listener is up. */
export async function startNode(options: NodeOptions): Promise<NodeProcess> {
  // The node's runtime directory is keyed by its name (docs/lifecycle.md "Runtime directory").
  const home = (options.home ?? makeTempHome()).forNode(options.name);
  home.write('system.ensemble', options.ensemble);
  const cli = [process.execPath, '--import', TSX_LOADER, join(REPO_ROOT, 'src/cli/main.ts'), 'run', home.file, '--node', options.name, '--no-fs', '--log-format', 'json'];
  if (options.listen !== null) cli.push('--listen', options.listen ?? '127.0.0.1:0');
  for (const p of options.peers ?? []) cli.push('--peer', p);
  cli.push(...(options.args ?? []));
  const argv = [...(options.prefix ?? []), ...cli];
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: home.dir,
    env: { ...process.env, ENSEMBLE_SUPERVISOR: '', ...home.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const records: LogRecord[] = [];
  let text = '';
  let partial = '';
  child.stdout!.on('data', (buf: Buffer) => {
    text += buf.toString('utf8');
    const lines = (partial + buf.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        records.push(JSON.parse(line) as LogRecord);
      } catch {
        records.push({ msg: line, raw: true });
      }
    }
  });
  child.stderr!.on('data', (buf: Buffer) => (text += buf.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitRecord = (what: string, predicate: (r: LogRecord) => boolean, timeoutMs = 90_000) =>
    waitFor(
      what,
      () => {
        const found = records.find(predicate);
        if (found) return found;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`node ${options.name} exited: ${text.slice(-2000)}`);
        return null;
      },
      { timeoutMs, intervalMs: 50 },
    );
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined && isAlive(child.pid)) child.kill('SIGKILL');
  };
  let listening: LogRecord;
  try {
    listening = await waitRecord(`node ${options.name} to listen`, (r) => r.component === 'network' && typeof r.listen === 'string');
  } catch (e) {
    kill();
    throw e;
  }
  const port = Number(String(listening.listen).split(':').pop());
  const supervisor = new SupervisorClient({ address: home.paths.apiAddress, how: `node ${options.name}` });
  const network = new NetworkClient({ address: home.paths.apiAddress, how: `node ${options.name}` });
  return {
    name: options.name,
    home,
    process: child,
    records,
    output: () => text,
    port,
    supervisor,
    network,
    waitRecord,
    kill,
    async stop() {
      supervisor.close();
      network.close();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      }
      kill();
    },
  };
}

/** Wait until `node` sees every name in `others` as alive. */
export function waitMembers(node: NodeProcess, others: readonly string[], timeoutMs = 90_000): Promise<true> {
  return waitFor(
    `node ${node.name} to see ${others.join(', ')} alive`,
    async () => {
      const { nodes } = await node.network.nodes();
      return others.every((o) => nodes.some((n) => n.name === o && n.state === 'alive')) || null;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/** Wait until every unit of `node` is ready. */
export function waitUnitsReady(node: NodeProcess, timeoutMs = 90_000): Promise<true> {
  return waitFor(
    `the units of node ${node.name} to be ready`,
    async () => {
      const units = await node.supervisor.listUnits();
      return (units.length > 0 && units.every((u) => u.state === 'ready')) || null;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/** Every kept log line of `unit` on `node`. */
export async function logLines(node: NodeProcess, unit: string): Promise<string[]> {
  const lines: string[] = [];
  await node.supervisor.logs({ unit, follow: false }, (l) => {
    lines.push(l.line);
  }).done;
  return lines;
}
