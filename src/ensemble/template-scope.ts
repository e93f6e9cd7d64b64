import os from 'node:os';

/**
 * The variables every template and condition sees: `platform`, `arch`,
 * `hostname`, `node`, `env.NAME` and `params.key` (`--set key=value`).
 */
export interface TemplateScope {
  readonly platform: string;
  readonly arch: string;
  readonly hostname: string;
  /** The node the plan is compiled for (`--node`, default the hostname). */
  readonly node: string;
  readonly env: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
}

/** Build the scope from load options (defaults: this machine, `process.env`). */
export function templateScope(options: { node?: string; env?: NodeJS.ProcessEnv; params?: Record<string, string> }): TemplateScope {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env ?? process.env)) if (v !== undefined) env[k] = v;
  const hostname = os.hostname();
  return {
    platform: process.platform,
    arch: process.arch,
    hostname,
    node: options.node ?? hostname,
    env,
    params: { ...(options.params ?? {}) },
  };
}
