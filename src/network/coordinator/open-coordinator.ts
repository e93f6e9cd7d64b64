import type { Coordinator } from './coordinator.js';
import { EtcdCoordinator, type EtcdOptions } from './etcd-coordinator.js';
import { LocalCoordinator } from './local-coordinator.js';
import { LocalStore, type LocalStoreOptions } from './local-store.js';

/** Which coordinator to open: the embedded `local` one, or etcd. */
export type CoordinatorConfig = ({ readonly kind: 'local' } & LocalStoreOptions) | ({ readonly kind: 'etcd' } & EtcdOptions);

/**
 * Opens a coordinator. For etcd, checks the connection once (one bounded
 * read) and rejects with the one-line `CoordinatorUnavailableError` or
 * `CoordinatorAuthError` when it fails (the client is closed then).
 */
export async function openCoordinator(config: CoordinatorConfig): Promise<Coordinator> {
  if (config.kind === 'local') return new LocalCoordinator(new LocalStore(config));
  const coordinator = new EtcdCoordinator(config);
  try {
    await coordinator.ping();
  } catch (e) {
    await coordinator.close().catch(() => undefined);
    throw e;
  }
  return coordinator;
}
