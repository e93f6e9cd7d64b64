import type { ApiExtension } from './api-plugin.js';
import type { ApiExtensionResult } from '../api/api-server.js';
import { toServiceMessage } from '../api/service-messages.js';
import { FederatedServiceRegistry } from '../api/federated-service-registry.js';
import type { LocalServiceRegistry } from '../api/local-service-registry.js';
import { loadProtos } from '../wire/protos.js';
import { toStatusMessage, toUnitMessage } from '../api/supervisor-messages.js';
import type { PluginContext, SystemPlugin } from './system-plugin.js';
import { Federation } from '../network/federation.js';
import { networkHandlers } from '../network/network-service.js';
import { fdLimits } from '../supervisor/process/fd-limit.js';
import { RefusalLog } from '../network/peer-auth.js';
import { formatHostPort } from '../network/peer-address.js';
import { peerTrees, type PeerTrees, type ResourceClientFactory } from '../network/peer-tree-backend.js';
import { startPeerListener, type PeerListener } from '../network/peer-listener.js';

/** Below this open-file limit the plugin warns (the listener's connection cap shrinks with it). */
const LOW_FD_LIMIT = 4096;

/** Full name of the operator's network service on the local socket. */
export const NETWORK_SERVICE = 'ensemble.network.v1.Network';

/**
 * Federation as a plugin of `supervisor run` (docs/network.md). It is also
 * the API's extension: as the API starts it resolves the network
 * configuration (a bad one aborts the run before any unit starts), wraps the
 * local registry in the federated one and adds the `Network` service to the
 * local socket. Its own start (after the API) opens the TCP listener and
 * begins exchanging with peers; its stop tells peers it leaves. Without a
 * `network` block or `--listen` only the `Network` service is added (it then
 * shows this node alone).
 */
export class NetworkPlugin implements SystemPlugin, ApiExtension {
  readonly name = 'network';
  private federationValue: Federation | null = null;
  private registry: FederatedServiceRegistry | null = null;
  private listener: PeerListener | null = null;
  private readonly cleanups: (() => void)[] = [];

  extendApi(ctx: PluginContext, local: LocalServiceRegistry): ApiExtensionResult {
    const config = ctx.spec.network;
    const protos = loadProtos();
    if (!config) return { services: [{ definition: protos.Network.service, implementation: networkHandlers(ctx.control, null), name: NETWORK_SERVICE }] };
    const { control } = ctx;
    const federation = new Federation(
      config,
      () => ({ services: local.list('').map(toServiceMessage), units: control.listUnits().map(toUnitMessage), status: toStatusMessage(control.status()) }),
      ctx.logger.child({ component: 'network' }),
    );
    this.federationValue = federation;
    this.registry = new FederatedServiceRegistry(local, federation, config.node);
    this.cleanups.push(
      local.watch(() => federation.localChanged()),
      control.onUnitChange(() => federation.localChanged()),
    );
    return { registry: this.registry, services: [{ definition: protos.Network.service, implementation: networkHandlers(control, federation), name: NETWORK_SERVICE }] };
  }

  async start(ctx: PluginContext): Promise<void> {
    const federation = this.federationValue;
    if (!federation || !this.registry) {
      if (ctx.spec.network) {
        ctx.logger.warn('network not started: it needs the API plugin (ApiPlugin given this plugin as its extension)');
      }
      return;
    }
    const config = federation.config;
    const refusals = new RefusalLog((fields, message) => ctx.logger.warn({ component: 'network', ...fields }, message));
    const closed = new RefusalLog((fields, message) => ctx.logger.warn({ component: 'network', ...fields }, message.replace('refused a network call', 'closed a network connection')));
    this.listener = await startPeerListener({
      federation,
      control: ctx.control,
      registry: this.registry,
      onRefused: (peer, method, reason) => refusals.refused(peer, method, reason),
      onConnectionClosed: (peer, why) => closed.refused(peer, '', why),
    });
    const fd = fdLimits();
    if (fd.soft !== null && fd.soft < LOW_FD_LIMIT) {
      ctx.logger.warn({ component: 'network', fdLimit: fd.soft }, `the open-file limit is ${fd.soft} (could not raise it): the network listener takes at most ${this.listener.limits.maxConnections} connections`);
    }
    federation.start(this.listener.port);
    const listen = formatHostPort({ host: config.listen.host, port: this.listener.port });
    ctx.logger.info(
      {
        component: 'network',
        network: config.name,
        node: config.node,
        listen,
        peers: config.seeds,
        auth: [config.token !== null ? 'token' : '', config.tls ? 'mtls' : ''].filter(Boolean).join('+'),
        heartbeatMs: config.heartbeatMs,
        timeoutMs: config.timeoutMs,
        connections: this.listener.limits,
        fdLimit: fd.soft,
      },
      `network "${config.name}": node ${config.node} listening on ${listen}`,
    );
  }

  async stop(): Promise<void> {
    for (const off of this.cleanups.splice(0)) off();
    try {
      await this.federationValue?.stop();
    } finally {
      await this.listener?.stop();
      this.listener = null;
    }
  }

  /** The running federation (null when not networked or not started). */
  get federation(): Federation | null {
    return this.federationValue;
  }

  /**
   * What the file view shows under `peers/` (empty when not networked).
   * Valid once the API started (the federation is made then).
   */
  peerTrees(resourceClient: ResourceClientFactory | null = null): PeerTrees {
    return peerTrees(this.federationValue, resourceClient);
  }
}
