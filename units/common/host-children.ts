import { InvalidArgumentError } from '../../src/sdk/host.js';
import type { Properties } from './properties.js';

/**
 * One `service runner` child of a host, as the supervisor passes it in
 * `ENSEMBLE_PROPERTIES.services` (see src/supervisor/process/unit-environment.ts).
 */
export interface HostChild {
  readonly name: string;
  /** The path as written (`cat`, `./sensor.mjs`). */
  readonly path: string;
  /** Absolute module path, or the command as written. */
  readonly resolvedPath: string;
  readonly args: readonly string[];
  readonly properties: Properties;
}

/** The host's children; an empty list when the runner has none. Throws on a damaged list. */
export function hostChildren(props: Properties, host: string): HostChild[] {
  const raw = props.services;
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new InvalidArgumentError(`${host}: ENSEMBLE_PROPERTIES.services must be a list`);
  return raw.map((c: unknown, i) => {
    const o = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
    if (typeof o.name !== 'string' || typeof o.resolvedPath !== 'string') {
      throw new InvalidArgumentError(`${host}: service runner #${i + 1} has no name or path`);
    }
    const args = Array.isArray(o.args) ? o.args.map(String) : [];
    const properties = (typeof o.properties === 'object' && o.properties !== null ? o.properties : {}) as Properties;
    return { name: o.name, path: typeof o.path === 'string' ? o.path : o.resolvedPath, resolvedPath: o.resolvedPath, args, properties };
  });
}
