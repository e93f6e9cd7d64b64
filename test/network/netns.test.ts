import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/make-unit-spec.js';
import { REPO_ROOT } from '../helpers/supervisor-child.js';
import { waitFor } from '../helpers/wait-for.js';
import { logLines, startNode, waitMembers, waitUnitsReady, type NodeProcess } from '../helpers/cluster.js';

// Two supervisors in separate network namespaces joined by veth pairs on a
// bridge (in a third namespace), each with its own address: nothing in the
// network layer depends on loopback. Both listen on the wildcard address of
// the network block; peers learn each other's address from the connections.
// Needs root and iproute2 (ip netns); elsewhere this file does not run.
const canNetns = process.getuid?.() === 0 && (() => {
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();

const tag = String(process.pid % 100_000);
const subnet = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;
const hub = `ens${tag}h`;
const spaces = [`ens${tag}a`, `ens${tag}b`];
const addressOf = (i: number): string => `${subnet}.${i + 1}`;
const netEcho = join(REPO_ROOT, 'test/fixtures/network/net-echo.mjs');
const nodes: NodeProcess[] = [];
const created: string[] = [];

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

function setUpNamespaces(): void {
  ip('netns', 'add', hub);
  created.push(hub);
  ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', hub, 'link', 'set', 'br0', 'up');
  spaces.forEach((ns, i) => {
    ip('netns', 'add', ns);
    created.push(ns);
    const inner = `ev${tag}${i}`;
    const outer = `eb${tag}${i}`;
    ip('link', 'add', inner, 'type', 'veth', 'peer', 'name', outer);
    ip('link', 'set', inner, 'netns', ns);
    ip('link', 'set', outer, 'netns', hub);
    ip('-n', hub, 'link', 'set', outer, 'master', 'br0');
    ip('-n', hub, 'link', 'set', outer, 'up');
    ip('-n', ns, 'addr', 'add', `${addressOf(i)}/24`, 'dev', inner);
    ip('-n', ns, 'link', 'set', inner, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  });
}

function tearDownNamespaces(): void {
  // Deleting a namespace deletes the veth ends inside it (and their peers).
  for (const ns of created.splice(0).reverse()) {
    try {
      ip('netns', 'del', ns);
    } catch {
      // already gone
    }
  }
}

const ENSEMBLE = `network "edge" {
  listen: "0.0.0.0:7600"
  token: "netns-test-token"
}
runner echo "${netEcho}" on "a" {
  readiness: notify
  properties { host: "{{ params.host }}" }
}
runner caller "${fixture('sdk-caller.mjs')}" on "b" {
  readiness: notify
  properties { target: "echo" }
}
runner loopy "${netEcho}" {
  readiness: notify
  properties { service: "loopy" }
}
`;

describe.runIf(canNetns)('supervisors in separate network namespaces', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    try {
      setUpNamespaces();
      nodes.push(await startNode({ name: 'a', ensemble: ENSEMBLE, listen: null, args: ['--set', `host=${addressOf(0)}`], prefix: ['ip', 'netns', 'exec', spaces[0]!] }));
      nodes.push(
        await startNode({ name: 'b', ensemble: ENSEMBLE, listen: null, peers: [`${addressOf(0)}:7600`, `${addressOf(1)}:7600`], args: ['--set', `host=${addressOf(1)}`], prefix: ['ip', 'netns', 'exec', spaces[1]!] }),
      );
      await Promise.all(nodes.map((n) => waitUnitsReady(n)));
      await Promise.all([waitMembers(nodes[0]!, ['b']), waitMembers(nodes[1]!, ['a'])]);
    } catch (e) {
      await Promise.allSettled(nodes.map((n) => n.stop()));
      tearDownNamespaces();
      throw e;
    }
  }, 240_000);

  afterAll(async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    for (const n of nodes) n.home.cleanup();
    tearDownNamespaces();
  }, 60_000);

  it('peers reach each other by their own addresses and a unit on b calls a unit on a', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const fromB = (await b.network.nodes()).nodes.find((n) => n.name === 'a');
    const fromA = (await a.network.nodes()).nodes.find((n) => n.name === 'b');
    expect(fromB).toMatchObject({ state: 'alive', address: `${addressOf(0)}:7600` });
    // b listens on 0.0.0.0 and a was never told its address: it came from b's connection.
    expect(fromA).toMatchObject({ state: 'alive', address: `${addressOf(1)}:7600` });
    // b's peer list names b itself (one list for every node): b recognises itself.
    expect((await b.network.nodes()).nodes.map((n) => `${n.name}:${n.state}`)).toEqual(['b:self', 'a:alive']);

    const echo = await b.supervisor.find('echo');
    expect(echo.node).toBe('a');
    expect(echo.address.startsWith(`${addressOf(0)}:`)).toBe(true);
    const pid = (await a.supervisor.getUnit('echo')).pid;
    await waitFor('the caller on b to get replies from echo on a', async () => {
      const lines = (await logLines(b, 'caller')).join('\n');
      return lines.includes(`reply from echo pid ${pid}`);
    }, { timeoutMs: 60_000 });
  });

  it('a service bound to loopback on another node is not handed out', async () => {
    const b = nodes[1]!;
    const loopy = await b.supervisor.listServices('loopy');
    expect(loopy.map((s) => `${s.node}/${s.name}`)).toEqual(['b/loopy', 'b/loopy.resources']);
    // a's own loopy is there on a, bound to 127.0.0.1.
    expect((await nodes[0]!.supervisor.find('loopy')).address.startsWith('127.0.0.1:')).toBe(true);
  });

  it('a partition makes each side drop the other, and heals by itself without restarting anything', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const pids = async () => ({
      echo: (await a.supervisor.getUnit('echo')).pid,
      caller: (await b.supervisor.getUnit('caller')).pid,
      loopyA: (await a.supervisor.getUnit('loopy')).pid,
      loopyB: (await b.supervisor.getUnit('loopy')).pid,
    });
    const before = await pids();
    const state = async (n: NodeProcess, other: string) => (await n.network.nodes()).nodes.find((x) => x.name === other)?.state;
    // Cut b's cable: packets are dropped, nothing is refused.
    ip('-n', hub, 'link', 'set', `eb${tag}1`, 'down');
    try {
      await waitFor('both sides to see the other unreachable', async () => (await state(a, 'b')) === 'unreachable' && (await state(b, 'a')) === 'unreachable', { timeoutMs: 60_000, intervalMs: 200 });
      await expect(b.supervisor.find('echo')).rejects.toMatchObject({ code: 'ENS_E_SERVICE_NOT_FOUND' });
    } finally {
      ip('-n', hub, 'link', 'set', `eb${tag}1`, 'up');
    }
    await waitFor('the partition to heal', async () => (await state(a, 'b')) === 'alive' && (await state(b, 'a')) === 'alive', { timeoutMs: 90_000, intervalMs: 200 });
    const echo = await waitFor('echo to be back in b\'s discovery', async () => {
      try {
        return await b.supervisor.find('echo');
      } catch {
        return null;
      }
    }, { timeoutMs: 60_000, intervalMs: 200 });
    expect(echo.node).toBe('a');
    expect(await pids()).toEqual(before);
  });
});
