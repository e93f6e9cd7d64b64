import type { PluginContext, SystemPlugin } from './system-plugin.js';

/** How a {@link LazyPlugin} gets its implementation. */
export interface LazyPluginOptions {
  readonly name: string;
  /** Imports the implementation and builds the plugin (called once, at start). */
  readonly load: (ctx: PluginContext) => Promise<SystemPlugin>;
  /** See {@link SystemPlugin.afterUnits}. */
  readonly afterUnits?: boolean;
  /** See {@link SystemPlugin.prepare}: runs before the implementation is loaded. */
  readonly prepare?: (ctx: PluginContext) => Promise<void> | void;
}

/**
 * A plugin whose module is imported only when the system starts it, so
 * merely building the plugin list loads nothing (gRPC, FUSE, prom-client…)
 * and the modules load while, or after, the units start.
 */
export class LazyPlugin implements SystemPlugin {
  readonly name: string;
  readonly afterUnits: boolean;
  private loaded: Promise<SystemPlugin> | null = null;
  private plugin: SystemPlugin | null = null;

  constructor(private readonly options: LazyPluginOptions) {
    this.name = options.name;
    this.afterUnits = options.afterUnits ?? false;
  }

  async prepare(ctx: PluginContext): Promise<void> {
    await this.options.prepare?.(ctx);
  }

  /** The implementation (loaded once; later calls share it). */
  implementation(ctx: PluginContext): Promise<SystemPlugin> {
    this.loaded ??= this.options.load(ctx);
    return this.loaded;
  }

  async start(ctx: PluginContext): Promise<void> {
    const plugin = await this.implementation(ctx);
    await plugin.prepare?.(ctx);
    this.plugin = plugin;
    await plugin.start(ctx);
  }

  async stop(): Promise<void> {
    await this.plugin?.stop();
  }
}
