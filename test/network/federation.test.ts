import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceMessage } from '../../src/wire/discovery-messages.js';
import { loadProtos } from '../../src/wire/protos.js';
import { PeerClient } from '../../src/network/peer-client.js';
import { fixture } from '../helpers/make-unit-spec.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { REPO_ROOT } from '../helpers/supervisor-child.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';
import { startNode, waitMembers, waitUnitsReady, type NodeProcess } from '../helpers/cluster.js';

// Three real `supervisor run` processes on loopback, one ensemble file with
// placement: echo runs on a, caller (which calls the service "echo") on b,
// `everywhere` on every node.
const TOKEN = 'test-network-token-7f3c9a';
const netEcho = join(REPO_ROOT, 'test/fixtures/network/net-echo.mjs');

const ENSEMBLE = `network "lab" {
  token: "{{ env.TEST_NETWORK_TOKEN }}"
}
runner echo "${netEcho}" on "a" {
  readiness: notify
}
runner caller "${fixture('sdk-caller.mjs')}" on "b" {
  readiness: notify
  properties { target: "echo" }
}
runner everywhere "${netEcho}" {
  readiness: notify
  properties { service: "local_echo" }
}
`;

let shared: TempHome;
let file: string;
const nodes: Record<string, NodeProcess> = {};
const extra: NodeProcess[] = [];

/** The real CLI against node `n` (through its runtime home, like an operator on that machine). */
function cli(n: NodeProcess, args: string[]): Promise<CliResult> {
  return runCli(['--supervisor', n.home.paths.apiAddress, ...args], { home: n.home, timeoutMs: 90_000 });
}

const env = { TEST_NETWORK_TOKEN: TOKEN };

async function unitPid(n: NodeProcess, unit: string): Promise<number | undefined> {
  return (await n.supervisor.getUnit(unit)).pid;
}

/** Every reply the caller on b logged, as [unit, pid]. */
async function callerReplies(b: NodeProcess): Promise<number[]> {
  const pids: number[] = [];
  await new Promise<void>((resolve, reject) => {
    const h = b.supervisor.logs({ unit: 'caller', follow: false }, (l) => {
      const m = /^reply from echo pid (\d+)/.exec(l.line);
      if (m) pids.push(Number(m[1]));
    });
    h.done.then(resolve, reject);
  });
  return pids;
}

beforeAll(async () => {
  shared = makeTempHome();
  file = shared.write('system.ensemble', ENSEMBLE);
  nodes.a = await startNode({ name: 'a', ensemble: ENSEMBLE, env });
  const seed = `127.0.0.1:${nodes.a.port}`;
  // b knows a; c knows only b: c must learn a through b.
  nodes.b = await startNode({ name: 'b', ensemble: ENSEMBLE, env, peers: [seed] });
  nodes.c = await startNode({ name: 'c', ensemble: ENSEMBLE, env, peers: [`127.0.0.1:${nodes.b.port}`] });
  await Promise.all(Object.values(nodes).map((n) => waitUnitsReady(n)));
  await Promise.all([waitMembers(nodes.a, ['b', 'c']), waitMembers(nodes.b, ['a', 'c']), waitMembers(nodes.c, ['a', 'b'])]);
}, 240_000);

afterAll(async () => {
  await Promise.allSettled([...Object.values(nodes), ...extra].map((n) => n.stop()));
  for (const n of [...Object.values(nodes), ...extra]) n.home.cleanup();
  shared?.cleanup();
}, 90_000);

describe('three federated supervisors on loopback', { timeout: 240_000 }, () => {
  it('each node runs only its own part of the one file', async () => {
    expect((await nodes.a!.supervisor.listUnits()).map((u) => u.name).sort()).toEqual(['echo', 'everywhere']);
    expect((await nodes.b!.supervisor.listUnits()).map((u) => u.name).sort()).toEqual(['caller', 'everywhere']);
    expect((await nodes.c!.supervisor.listUnits()).map((u) => u.name)).toEqual(['everywhere']);
  });

  it('render --node shows what a node would run, with the token masked', async () => {
    const r = await runCli(['render', file, '--node', 'b'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/plan for node "b"/);
    expect(r.stdout).toMatch(/unit caller/);
    expect(r.stdout).toMatch(/on other nodes: echo \(a\)/);
    expect(r.stdout).not.toContain(TOKEN);
  });

  it('Find answers a local service first, then a remote one; List shows the node of each', async () => {
    // "echo" exists only on a: every node finds it there.
    for (const n of Object.values(nodes)) {
      const found = await n.supervisor.find('echo');
      expect(found).toMatchObject({ name: 'echo', node: 'a', unit: 'echo', ready: true });
    }
    // "local_echo" runs on every node: each node gets its own.
    for (const n of Object.values(nodes)) expect((await n.supervisor.find('local_echo')).node).toBe(n.name);
    const listed = await nodes.c!.supervisor.listServices('local_echo');
    expect(listed.map((s) => s.node)).toEqual(['c', 'a', 'b']);
  });

  it('a unit on b calls the unit on a through the address discovery gave it', async () => {
    const echoPid = await unitPid(nodes.a!, 'echo');
    await waitFor('the caller on b to get a reply from echo on a', async () => (await callerReplies(nodes.b!)).includes(echoPid!), { timeoutMs: 60_000 });
  });

  it('ps --network lists every node with a NODE column', async () => {
    const r = await cli(nodes.c!, ['ps', '--network']);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NODE\s+UNIT\s+STATE\s+PID\s+RESTARTS\s+CPU\s+MEMORY\s+UPTIME\s+ERROR$/);
    const pairs = rows.map((row) => row.split(/\s+/).slice(0, 3).join(' '));
    expect(pairs).toEqual(['c everywhere ready', 'a echo ready', 'a everywhere ready', 'b caller ready', 'b everywhere ready']);
    const json = await cli(nodes.c!, ['ps', '--network', '--json']);
    const units = JSON.parse(json.stdout) as { node: string; name: string; pid: number }[];
    expect(units.find((u) => u.node === 'a' && u.name === 'echo')?.pid).toBe(await unitPid(nodes.a!, 'echo'));
  });

  it('restart NODE/UNIT restarts a unit on another node; logs NODE/UNIT reads it from anywhere', async () => {
    const before = await unitPid(nodes.a!, 'echo');
    const r = await cli(nodes.c!, ['restart', 'a/echo']);
    expect(r.code).toBe(0);
    const m = /^a\/echo: ready \(pid (\d+)\)\n$/.exec(r.stdout);
    expect(m).not.toBeNull();
    const after = Number(m![1]);
    expect(after).not.toBe(before);
    expect(await unitPid(nodes.a!, 'echo')).toBe(after);
    // The caller follows discovery to the new process.
    await waitFor('the caller to reach the restarted echo', async () => (await callerReplies(nodes.b!)).includes(after), { timeoutMs: 60_000 });

    const logs = await cli(nodes.b!, ['logs', 'a/echo', '-n', '5']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain(`echo echo pid ${after} serving at 127.0.0.1:`);

    const unknown = await cli(nodes.c!, ['restart', 'nowhere/echo']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^supervisor: unknown node "nowhere" \(known: c, a, b\)\n$/);
  });

  it('a killed node leaves discovery, comes back re-synced, and nothing else restarts', async () => {
    const c = nodes.c!;
    const b = nodes.b!;
    const untouched = { caller: await unitPid(b, 'caller'), bEverywhere: await unitPid(b, 'everywhere'), cEverywhere: await unitPid(c, 'everywhere') };
    // Watch discovery on c: the remote service must be removed, then added again.
    const events: { type: string; service?: ServiceMessage }[] = [];
    const discovery = new (loadProtos().Discovery)(c.home.paths.apiAddress, grpc.credentials.createInsecure());
    const watch = (discovery as unknown as { Watch(req: object): grpc.ClientReadableStream<{ type: string; service?: ServiceMessage }> }).Watch({ query: 'echo' });
    watch.on('data', (e: { type: string; service?: ServiceMessage }) => events.push(e));
    watch.on('error', () => undefined);
    try {
      await waitFor('the watch to be synced', () => events.some((e) => e.type === 'CHANGE_TYPE_SYNCED'));
      const port = nodes.a!.port;
      nodes.a!.kill();
      await waitFor('echo to leave discovery on c', async () => {
        try {
          await c.supervisor.find('echo');
          return false;
        } catch (e) {
          return (e as { code?: string }).code === 'ENS_E_SERVICE_NOT_FOUND';
        }
      }, { timeoutMs: 60_000, intervalMs: 200 });
      expect(events.some((e) => e.type === 'CHANGE_TYPE_REMOVED' && e.service?.name === 'echo' && e.service.node === 'a')).toBe(true);
      // Every node detects a silent peer on its own clock: b may see it a heartbeat after c.
      await waitFor('b to mark a unreachable', async () => (await b.network.nodes()).nodes.find((n) => n.name === 'a')?.state === 'unreachable', { timeoutMs: 60_000, intervalMs: 200 });
      const ps = await cli(c, ['ps', '--network']);
      expect(ps.code).toBe(0);
      expect(ps.stdout).not.toMatch(/^a\s/m);
      expect(ps.stderr).toMatch(/^supervisor: node a is unreachable \(.*\); its units are not shown$/m);

      // The same node comes back on the same address with a fresh runtime: it is re-synced.
      const home = nodes.a!.home;
      await nodes.a!.stop();
      nodes.a = await startNode({ name: 'a', ensemble: ENSEMBLE, env, home, listen: `127.0.0.1:${port}`, peers: [`127.0.0.1:${b.port}`] });
      await waitUnitsReady(nodes.a);
      const found = await waitFor('echo to return to discovery on c', async () => {
        try {
          return await c.supervisor.find('echo');
        } catch {
          return null;
        }
      }, { timeoutMs: 90_000, intervalMs: 200 });
      expect(found.node).toBe('a');
      const echoEvents = events.filter((e) => e.service?.name === 'echo').map((e) => e.type);
      const removedAt = echoEvents.indexOf('CHANGE_TYPE_REMOVED');
      expect(echoEvents.slice(removedAt)).toContain('CHANGE_TYPE_ADDED');
      const newEcho = await unitPid(nodes.a, 'echo');
      await waitFor('the caller on b to reach the new echo', async () => (await callerReplies(b)).includes(newEcho!), { timeoutMs: 60_000 });
      expect({ caller: await unitPid(b, 'caller'), bEverywhere: await unitPid(b, 'everywhere'), cEverywhere: await unitPid(c, 'everywhere') }).toEqual(untouched);
    } finally {
      watch.cancel();
      discovery.close();
    }
  });

  it('a peer with a wrong token is refused and logged, without the secret', async () => {
    const a = nodes.a!;
    const intruder = await startNode({ name: 'd', ensemble: ENSEMBLE, env: { TEST_NETWORK_TOKEN: 'not-the-token' }, peers: [`127.0.0.1:${a.port}`] });
    extra.push(intruder);
    const refusal = await a.waitRecord('a to log the refused call', (r) => typeof r.msg === 'string' && r.msg.startsWith('refused a network call from 127.0.0.1: wrong network token'));
    expect(refusal).toMatchObject({ component: 'network', peer: '127.0.0.1', reason: 'wrong network token' });
    const { nodes: known } = await a.network.nodes();
    expect(known.map((n) => n.name)).not.toContain('d');
    const { nodes: fromD } = await intruder.network.nodes();
    expect(fromD.map((n) => n.name)).toEqual(['d']);

    // A direct call without any token is refused too.
    const anonymous = new PeerClient(`127.0.0.1:${a.port}`, { token: null, tls: null, heartbeatMs: 1000 }, () => 'a');
    try {
      await expect(anonymous.listUnits(10_000)).rejects.toMatchObject({ code: 'ENS_E_PERMISSION', message: expect.stringContaining('no network token') });
    } finally {
      anonymous.close();
    }
    for (const n of [...Object.values(nodes), intruder]) {
      expect(n.output()).not.toContain(TOKEN);
      expect(n.output()).not.toContain('not-the-token');
    }
  });
});
