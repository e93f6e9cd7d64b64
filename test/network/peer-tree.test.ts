import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiPlugin } from '../../src/system/api-plugin.js';
import { FileTree } from '../../src/fs/file-tree.js';
import { LocalTreeBackend } from '../../src/fs/local-backend.js';
import { ResourceClientPool } from '../../src/fs/resources-client.js';
import { NetworkPlugin } from '../../src/system/network-plugin.js';
import type { PeerTrees } from '../../src/network/peer-tree-backend.js';
import { runSystem } from '../../src/system/run-system.js';
import type { Supervisor } from '../../src/supervisor/supervisor.js';
import type { UnitStatus } from '../../src/supervisor/lifecycle/unit-state.js';
import { fixture } from '../helpers/make-unit-spec.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';
import { startNode, waitUnitsReady, type NodeProcess } from '../helpers/cluster.js';

// What `peers/<node>/…` of the file view is served from: node x runs in this
// process (runSystem with the API and network plugins), node a is a real
// `supervisor run` child with an SDK unit that has resources.
const ENSEMBLE = `network "lab" {
  token: "peer-tree-token"
}
runner echo "${fixture('sdk-echo.mjs')}" on "a" {
  readiness: notify
}
`;

let home: TempHome;
let a: NodeProcess;
let supervisor: Supervisor | null = null;
let finished: Promise<number>;
let trees: PeerTrees;
const pool = new ResourceClientPool(3000);

beforeAll(async () => {
  a = await startNode({ name: 'a', ensemble: ENSEMBLE });
  await waitUnitsReady(a);
  home = makeTempHome();
  home.write('system.ensemble', ENSEMBLE);
  const network = new NetworkPlugin();
  const sink = new Writable({ write: (_c, _e, done) => done() });
  finished = runSystem(
    { file: home.file, node: 'x', listen: '127.0.0.1:0', peers: [`127.0.0.1:${a.port}`], fs: false, env: { ...process.env, ...home.env } },
    { handleSignals: false, logger: pino({ level: 'warn' }, sink), plugins: [new ApiPlugin(network), network], onStarted: (s) => (supervisor = s) },
  );
  await waitFor('x to start', () => supervisor);
  trees = network.peerTrees((unit, name, address) => pool.get(unit, name, address));
  await waitFor('x to know a', async () => trees.names().includes('a') && (await trees.backend('a').listUnits()).length > 0, { timeoutMs: 60_000 });
}, 120_000);

afterAll(async () => {
  pool.close();
  await supervisor?.shutdown();
  await Promise.race([finished, new Promise((r) => setTimeout(r, 20_000))]).catch(() => undefined);
  await a?.stop();
  a?.home.cleanup();
  home?.cleanup();
}, 60_000);

describe('peers/<node> data of the file view', { timeout: 120_000 }, () => {
  it('shows the peer supervisor, its units, services and resources', async () => {
    const backend = trees.backend('a');
    try {
      expect(trees.names()).toEqual(['a']);
      const status = await backend.supervisorStatus();
      expect(status).toMatchObject({ node: 'a', state: 'running', units: 1 });
      const echo = await backend.getUnit('echo');
      expect(echo).toMatchObject({ name: 'echo', state: 'ready', pid: (await a.supervisor.getUnit('echo')).pid });
      await expect(backend.getUnit('ghost')).rejects.toMatchObject({ code: 'ENS_E_UNIT_NOT_FOUND' });
      expect((await backend.listServices()).map((s) => s.name)).toEqual(['echo', 'echo.resources']);
      const resources = await backend.resources('echo');
      expect(resources).not.toBeNull();
      expect(await resources!.read('greeting')).toBe('hello');
      await resources!.write('greeting', 'hi');
      expect(await resources!.read('greeting')).toBe('hi');
      await expect(backend.controlSupervisor('shutdown')).rejects.toMatchObject({ code: 'ENS_E_PERMISSION' });
      expect(() => trees.backend('nowhere')).toThrow(expect.objectContaining({ code: 'ENS_E_NODE_NOT_FOUND' }));
    } finally {
      backend.close();
    }
  });

  it('restarts a unit of the peer and streams its state changes', async () => {
    const backend = trees.backend('a');
    const seen: UnitStatus[] = [];
    const off = backend.watchUnits((s) => seen.push(s));
    try {
      const before = (await backend.getUnit('echo')).pid;
      await backend.controlUnit('echo', 'restart');
      const after = await a.supervisor.getUnit('echo');
      expect(after.state).toBe('ready');
      expect(after.pid).not.toBe(before);
      await waitFor('the watch to see echo ready with its new pid', () => seen.some((s) => s.name === 'echo' && s.state === 'ready' && s.pid === after.pid));
      expect(seen.some((s) => s.name === 'echo' && s.state === 'stopping')).toBe(true);
    } finally {
      off();
      backend.close();
    }
  });

  it('the file tree shows peers/<node>/… as the same tree as the local one', async () => {
    const tree = new FileTree(new LocalTreeBackend(supervisor!, { list: () => [] }, pool, () => undefined), { peers: trees });
    try {
      expect(await tree.list('peers')).toEqual(['a']);
      expect(await tree.list('peers/a')).toEqual(['peers', 'services', 'status', 'supervisor', 'units']);
      expect(await tree.read('peers/a/status/echo/state')).toBe('ready\n');
      expect(await tree.read('peers/a/status/echo/pid')).toBe(`${(await a.supervisor.getUnit('echo')).pid}\n`);
      expect(await tree.read('peers/a/services/echo')).toMatch(/^127\.0\.0\.1:\d+\n$/);
      await tree.write('peers/a/units/echo/greeting', 'salut\n');
      expect(await tree.read('peers/a/units/echo/greeting')).toBe('salut\n');
      await expect(tree.write('peers/a/supervisor/control', 'shutdown\n')).rejects.toMatchObject({ errno: 'EACCES' });
      await expect(tree.read('peers/nowhere/status/echo/state')).rejects.toMatchObject({ errno: 'ENOENT' });
      expect(await tree.list('peers/a/peers')).toEqual([]);
    } finally {
      tree.close();
    }
  });
});
