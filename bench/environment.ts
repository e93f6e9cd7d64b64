import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import type { Peer } from './peers/peer.js';

/** What a reader needs to judge the noise of a run. */
export interface EnvironmentInfo {
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memory: string;
  readonly kernel: string;
  readonly node: string;
  readonly versions: Record<string, string>;
  /** 1, 5 and 15 minute load averages when the run started. */
  readonly loadBefore: readonly number[];
}

/** Describe the machine and the versions of the selected peers. */
export function describeEnvironment(peers: readonly Peer[], repoRoot: string): EnvironmentInfo {
  const versions: Record<string, string> = {};
  for (const p of peers) {
    try {
      versions[p.name] = p.version({ repoRoot });
    } catch (error) {
      versions[p.name] = `unknown (${(error as Error).message.split('\n')[0]})`;
    }
  }
  const gib = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GiB`;
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory: `${gib(totalmem())} (${gib(freemem())} free)`,
    kernel: `Linux ${release()}`,
    node: process.version,
    versions,
    loadBefore: loadavg().map((l) => Number(l.toFixed(2))),
  };
}
