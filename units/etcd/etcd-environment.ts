/** Variables of the unit's environment that are meant for the unit process only. */
const UNIT_ONLY = ['ENSEMBLE_TOKEN', 'ENSEMBLE_PROPERTIES', 'NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'];

/**
 * etcd's environment: the unit's, without its secret (`ENSEMBLE_TOKEN`), its
 * properties and its readiness/watchdog variables, and without the `ETCD_*`
 * variables of flags given on the command line (etcd 3.4 refuses to start
 * when a variable and a flag set the same option). Other `ETCD_*` variables
 * (from the runner's `env` block) pass and configure etcd.
 */
export function etcdEnvironment(env: NodeJS.ProcessEnv, args: readonly string[]): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of UNIT_ONLY) delete out[name];
  for (const arg of args) {
    const m = /^--([a-z0-9-]+)(?:=|$)/.exec(arg);
    if (m) delete out[`ETCD_${(m[1] as string).replace(/-/g, '_').toUpperCase()}`];
  }
  return out;
}
