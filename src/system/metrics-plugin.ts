import type { PluginContext, SystemPlugin } from './system-plugin.js';
import type { MetricsServer } from '../health/metrics.js';

/**
 * `supervisor run --metrics ADDR`: serves Prometheus metrics of the running
 * supervisor while the system runs (nothing without the flag). A bad or busy
 * address aborts the run with the error, before any unit starts. The HTTP
 * server and prom-client are loaded only with the flag.
 */
export class MetricsPlugin implements SystemPlugin {
  readonly name = 'metrics';
  private server: MetricsServer | null = null;

  /** The bound address while serving (e.g. after asking for port 0), else null. */
  get address(): string | null {
    return this.server?.address ?? null;
  }

  async start(ctx: PluginContext): Promise<void> {
    const address = ctx.spec.metrics;
    if (address === null) return;
    const { startMetricsServer } = await import('../health/metrics.js');
    this.server = await startMetricsServer(ctx.control, address);
    ctx.logger.info({ address: this.server.address }, `metrics on http://${this.server.address}/metrics`);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    await server?.close();
  }
}
