import { dirname } from 'node:path';
import { compileUnitBounded } from '../ensemble/bounded-compile.js';
import { compileLauncher } from '../supervisor/process/compile-launcher.js';
import type { PluginContext, SystemPlugin } from './system-plugin.js';
import { startApiServer, type ApiExtensionResult, type ApiServer } from '../api/api-server.js';
import type { LocalServiceRegistry } from '../api/local-service-registry.js';

/**
 * Something that extends the API as it starts (the network: a federated
 * registry and the `Network` service), see `ApiServerOptions.extend`.
 */
export interface ApiExtension {
  extendApi(ctx: PluginContext, local: LocalServiceRegistry): ApiExtensionResult;
}

/**
 * The supervisor's gRPC API as a plugin of `supervisor run`: Discovery,
 * Supervisor, grpc.health.v1 and reflection on `paths.apiSocket` (mode 0600).
 * Starts before the units (they connect to it) and stops after them.
 */
export class ApiPlugin implements SystemPlugin {
  readonly name = 'api';
  private server: ApiServer | null = null;

  /** @param extension see {@link ApiExtension} (the network). */
  constructor(private readonly extension: ApiExtension | null = null) {}

  async start(ctx: PluginContext): Promise<void> {
    const { env, budget } = ctx.spec;
    const extension = this.extension;
    this.server = await startApiServer({
      ...(extension ? { extend: (local: LocalServiceRegistry) => extension.extendApi(ctx, local) } : {}),
      control: ctx.control,
      socketPath: ctx.paths.apiSocket,
      // Relative paths in an added runner resolve against the running ensemble file. Any unit
      // may call AddUnit: the runner compiles in a bounded child process (bounded-compile.ts).
      compileUnit: (runner) => compileUnitBounded(runner, { baseDir: dirname(ctx.plan.file), plan: ctx.control.plan, env, budget }, compileLauncher()),
      logger: { info: (m) => ctx.logger.info(m), warn: (m) => ctx.logger.warn(m) },
    });
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = null;
  }

  /** The running server (null before start / after stop). */
  get api(): ApiServer | null {
    return this.server;
  }
}
