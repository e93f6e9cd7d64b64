import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runHostedUnit } from '../../src/sdk/host.js';
import type { HostChild } from '../common/host-children.js';

/** Query parameter that makes each child's module URL unique (and names the child in stack traces). */
export const CHILD_QUERY = 'ensemble-child';

/** What a child is loaded with. */
export interface ChildEnvironment {
  /** The proxy address the child sees as its supervisor. */
  readonly supervisor: string;
  /** The host's token (the child is inside the host's process: no boundary to protect). */
  readonly token: string;
  /** The child's writable directory, or null. */
  readonly stateDir: string | null;
  /** Called once the child's shutdown hooks ran. */
  readonly exit: (code: number) => void;
}

/**
 * Import the child's module inside its hosted-unit context, so its
 * `connect()` reads the child's own environment contract. The module URL
 * carries `?ensemble-child=<name>`: two children may run the same file and
 * each gets its own module instance. Resolves when the module's top-level
 * code (including top-level await) finished; rejects with what it threw.
 */
export async function loadChild(child: HostChild, environment: ChildEnvironment): Promise<unknown> {
  if (environment.stateDir) mkdirSync(environment.stateDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NOTIFY_SOCKET;
  delete env.WATCHDOG_USEC;
  Object.assign(env, {
    ENSEMBLE_SUPERVISOR: environment.supervisor,
    ENSEMBLE_UNIT: child.name,
    ENSEMBLE_TOKEN: environment.token,
    ENSEMBLE_PROPERTIES: JSON.stringify(child.properties),
    ...(environment.stateDir ? { ENSEMBLE_STATE_DIR: environment.stateDir } : {}),
  });
  const url = pathToFileURL(child.resolvedPath);
  url.searchParams.set(CHILD_QUERY, child.name);
  return runHostedUnit({ env, exit: environment.exit }, () => import(url.href));
}

/** The child state directory inside the host's. */
export function childStateDir(hostStateDir: string | null, child: string): string | null {
  return hostStateDir ? join(hostStateDir, child) : null;
}

/** The child a thrown error belongs to, from its stack (`?ensemble-child=NAME` in a frame), or null. */
export function childOfError(e: unknown): string | null {
  const stack = e instanceof Error ? (e.stack ?? '') : '';
  const m = new RegExp(`[?&]${CHILD_QUERY}=([A-Za-z0-9_.-]+)`).exec(stack);
  return m ? (m[1] as string) : null;
}
