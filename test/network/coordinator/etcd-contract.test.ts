import { afterAll, beforeAll } from 'vitest';
import { EtcdCoordinator } from '../../../src/network/coordinator/etcd-coordinator.js';
import { startEtcd, type EtcdCluster } from '../../helpers/etcd-server.js';
import { coordinatorContract } from './coordinator-contract.js';

let etcd: EtcdCluster;
let run = 0;
beforeAll(async () => {
  etcd = await startEtcd();
}, 120_000);
afterAll(async () => {
  await etcd?.cleanup();
});

coordinatorContract(
  'etcd (one member)',
  () => {
    // A fresh prefix per test: tests share the server, not their keys.
    const prefix = `ens-test/${++run}/`;
    const options = { endpoints: etcd.endpoints, prefix, callTimeoutMs: 5_000 };
    const a = new EtcdCoordinator(options);
    const b = new EtcdCoordinator(options);
    const raw = etcd.client().namespace(prefix);
    return Promise.resolve({
      a,
      b,
      // A lease granted without keep-alive: etcd expires it after its TTL.
      expiringRecord: async (key: string) => {
        const lease = raw.lease(2, { autoKeepAlive: false });
        await lease.put(key).value('ghost').exec();
      },
      close: async () => void (await Promise.all([a.close(), b.close()])),
    });
  },
  { leasesExpire: true },
);
