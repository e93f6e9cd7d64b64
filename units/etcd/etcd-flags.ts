import type { EtcdConfig } from './etcd-config.js';
import { initialClusterFlag } from './etcd-urls.js';

/**
 * etcd's command line for `config` (etcd 3.4 flag names). Logs are zap JSON
 * lines on stderr, which the supervisor captures as the unit's log.
 * `extra_args` come last: a flag given there overrides a generated one.
 */
export function etcdFlags(config: EtcdConfig): string[] {
  const flags = [
    `--name=${config.name}`,
    `--data-dir=${config.dataDir}`,
    `--listen-client-urls=${config.clientUrls.join(',')}`,
    `--advertise-client-urls=${config.advertiseClientUrls.join(',')}`,
    `--listen-peer-urls=${config.peerUrls.join(',')}`,
    `--initial-advertise-peer-urls=${config.initialAdvertisePeerUrls.join(',')}`,
    `--initial-cluster=${initialClusterFlag(config.initialCluster)}`,
    `--initial-cluster-state=${config.initialClusterState}`,
    `--initial-cluster-token=${config.initialClusterToken}`,
    '--logger=zap',
    '--log-outputs=stderr',
  ];
  if (config.heartbeatMs !== null) flags.push(`--heartbeat-interval=${config.heartbeatMs}`);
  if (config.electionMs !== null) flags.push(`--election-timeout=${config.electionMs}`);
  const { tls } = config;
  if (tls.certFile !== null) flags.push(`--cert-file=${tls.certFile}`);
  if (tls.keyFile !== null) flags.push(`--key-file=${tls.keyFile}`);
  if (tls.trustedCaFile !== null) flags.push(`--trusted-ca-file=${tls.trustedCaFile}`);
  if (tls.clientCertAuth) flags.push('--client-cert-auth=true');
  return [...flags, ...config.extraArgs];
}
