import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Coordinator, WatchEvent } from '../../../src/network/coordinator/coordinator.js';
import { waitFor } from '../../helpers/wait-for.js';

/** Two clients of one store (two "processes"), and how to end them. */
export interface ContractClients {
  readonly a: Coordinator;
  readonly b: Coordinator;
  /** Makes a record under `key` whose lease is not kept alive (TTL 2 s), or undefined when the backend cannot. */
  readonly expiringRecord?: (key: string) => Promise<void>;
  close(): Promise<void>;
}

/** The Coordinator contract every backend must pass. */
export function coordinatorContract(name: string, open: () => Promise<ContractClients>, options: { readonly leasesExpire: boolean }): void {
  describe(`Coordinator contract: ${name}`, () => {
    let clients: ContractClients;
    beforeEach(async () => {
      clients = await open();
    });
    afterEach(async () => {
      await clients.close();
    });

    it('members and registry entries vanish when their lease is revoked', async () => {
      const { a, b } = clients;
      const lease = await a.grantLease(10);
      await a.putMember({ node: 'n1', address: '127.0.0.1:1', labels: { site: 'lab' }, hostIds: ['h1'] }, lease);
      await a.register({ node: 'n1', name: 'api', address: '127.0.0.1:2', metadata: {} }, lease);
      expect(await b.members()).toEqual([{ node: 'n1', address: '127.0.0.1:1', labels: { site: 'lab' }, hostIds: ['h1'] }]);
      expect([...(await b.list('registry/')).entries.keys()]).toEqual(['registry/n1/api']);
      await lease.revoke();
      expect(await b.members()).toEqual([]);
      expect((await b.list('registry/')).entries.size).toBe(0);
    });

    it('get, put (with a lease) and delete on relative keys', async () => {
      const { a, b } = clients;
      const lease = await a.grantLease(10);
      const rev = await a.put('state/n1', '{"x":1}', lease);
      expect(await b.get('state/n1')).toEqual({ value: '{"x":1}', revision: rev });
      expect(await b.delete('state/n1')).toBe(true);
      expect(await b.delete('state/n1')).toBe(false);
      expect(await b.get('state/n1')).toBeUndefined();
      await a.put('state/n1', 'again', lease);
      await a.close();
      expect(await b.get('state/n1')).toBeUndefined();
    });

    it('a watch from a revision replays the events it missed, then follows', async () => {
      const { a, b } = clients;
      const start = (await b.list('registry/')).revision + 1n;
      const lease = await a.grantLease(10);
      await a.register({ node: 'n1', name: 's1', address: 'x:1', metadata: {} }, lease);
      await a.register({ node: 'n1', name: 's2', address: 'x:2', metadata: {} }, lease);
      await a.unregister('n1', 's1');
      await a.put('other/key', 'not watched');
      const seen: WatchEvent[] = [];
      const watch = await b.watch('registry/', start, (e) => seen.push(e));
      await waitFor('three replayed events', () => seen.length >= 3);
      await a.register({ node: 'n1', name: 's3', address: 'x:3', metadata: {} }, lease);
      await waitFor('the live event', () => seen.length >= 4);
      expect(seen.map((e) => `${e.kind} ${e.key}`)).toEqual(['put registry/n1/s1', 'put registry/n1/s2', 'delete registry/n1/s1', 'put registry/n1/s3']);
      expect(seen[0]!.revision >= start).toBe(true);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.revision > seen[i - 1]!.revision).toBe(true);
      await watch.close();
    });

    it('a watch reports a revoked lease as deletes', async () => {
      const { a, b } = clients;
      const lease = await a.grantLease(10);
      await a.putMember({ node: 'n2', address: 'x:1', labels: {}, hostIds: [] }, lease);
      const seen: WatchEvent[] = [];
      const watch = await b.watch('members/', undefined, (e) => seen.push(e));
      await lease.revoke();
      await waitFor('a delete', () => seen.find((e) => e.kind === 'delete' && e.key === 'members/n2'));
      await watch.close();
    });

    // The local backend's leases never expire while the process lives: nothing to test there.
    if (options.leasesExpire) it('a record whose lease is not kept alive vanishes after its TTL, seen by a watch as a delete', async () => {
      const { b } = clients;
      const seen: WatchEvent[] = [];
      const watch = await b.watch('members/', undefined, (e) => seen.push(e));
      await clients.expiringRecord!('members/ghost');
      await waitFor('the put', () => seen.find((e) => e.kind === 'put'));
      await waitFor('the expiry as a delete', () => seen.find((e) => e.kind === 'delete' && e.key === 'members/ghost'), { timeoutMs: 30_000 });
      expect(await b.get('members/ghost')).toBeUndefined();
      await watch.close();
    });

    it('config compare-and-set', async () => {
      const { a, b } = clients;
      expect(await a.getConfig('plan')).toBeUndefined();
      const first = await a.putConfig('plan', 'v1', 0n);
      expect(first.ok).toBe(true);
      expect(await b.getConfig('plan')).toEqual({ value: 'v1', revision: first.revision });
      expect(await b.putConfig('plan', 'v0', 0n)).toEqual({ ok: false, revision: first.revision });
      const second = await b.putConfig('plan', 'v2', first.revision);
      expect(second.ok).toBe(true);
      expect(await a.putConfig('plan', 'v3', first.revision)).toEqual({ ok: false, revision: second.revision });
      expect((await a.getConfig('plan'))?.value).toBe('v2');
      expect((await a.putConfig('plan', 'v4')).ok).toBe(true);
    });

    it('an election has one leader at a time; the next candidate takes over when the leader resigns or its lease goes', async () => {
      const { a, b } = clients;
      const leaders: (string | undefined)[] = [];
      const observer = await b.observeLeader('singleton', (l) => leaders.push(l));
      await waitFor('the first report (no leader)', () => leaders.length >= 1);
      expect(leaders[0]).toBeUndefined();
      const leaseA = await a.grantLease(10);
      const leaseB = await b.grantLease(10);
      await a.campaign('singleton', 'node-a', leaseA);
      let bElected = false;
      const bCampaign = b.campaign('singleton', 'node-b', leaseB).then(() => (bElected = true));
      await waitFor('node-a observed as leader', () => leaders.includes('node-a'));
      await new Promise((r) => setTimeout(r, 100));
      const leaseC = await a.grantLease(10);
      const c = a.campaign('singleton', 'node-c', leaseC);
      // node-b waits while node-a leads.
      await new Promise((r) => setTimeout(r, 300));
      expect(bElected).toBe(false);
      await leaseA.revoke();
      await bCampaign;
      await waitFor('node-b observed as leader', () => leaders.at(-1) === 'node-b');
      await b.resign('singleton');
      await c;
      await waitFor('node-c observed as leader', () => leaders.at(-1) === 'node-c');
      expect(leaders.filter((l) => l !== undefined)).toEqual(['node-a', 'node-b', 'node-c']);
      await observer.close();
    });

    it('a lock is exclusive and served in order', async () => {
      const { a, b } = clients;
      const order: string[] = [];
      const first = await a.lock('deploy');
      order.push('a1');
      const second = b.lock('deploy').then((l) => {
        order.push('b');
        return l;
      });
      await new Promise((r) => setTimeout(r, 300));
      const third = a.lock('deploy').then((l) => {
        order.push('a2');
        return l;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(order).toEqual(['a1']);
      await first.release();
      const held = await second;
      expect(order).toEqual(['a1', 'b']);
      await held.release();
      await (await third).release();
      expect(order).toEqual(['a1', 'b', 'a2']);
    });
  });
}
