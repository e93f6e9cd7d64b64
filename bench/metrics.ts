/** One figure the harness measures for every peer. */
export interface Metric {
  readonly id: MetricId;
  /** The workload number of issue 9 (1–6). */
  readonly workload: number;
  readonly label: string;
  readonly unit: 'ms' | 'MiB' | '% core' | 'starts';
}

/** Identifiers of the measured figures. */
export type MetricId =
  | 'coldSmall'
  | 'coldSmallReturn'
  | 'cold'
  | 'coldReturn'
  | 'restart'
  | 'stop'
  | 'stopSmall'
  | 'rss'
  | 'pss'
  | 'rssRestarts'
  | 'pssRestarts'
  | 'idleCpu'
  | 'crashStarts'
  | 'crashCpu';

/** The metrics in report order, labelled for the unit counts and windows of this run. */
export function metrics(n: number, nSmall: number, restarts: number, idleS: number, crashS: number): Metric[] {
  return [
    { id: 'coldSmall', workload: 1, label: `cold start → all running, N=${nSmall}`, unit: 'ms' },
    { id: 'coldSmallReturn', workload: 1, label: `cold start → command returns / control up, N=${nSmall}`, unit: 'ms' },
    { id: 'cold', workload: 1, label: `cold start → all running, N=${n}`, unit: 'ms' },
    { id: 'coldReturn', workload: 1, label: `cold start → command returns / control up, N=${n}`, unit: 'ms' },
    { id: 'restart', workload: 2, label: `restart latency, kill -9 → new pid, N=${n}`, unit: 'ms' },
    { id: 'stopSmall', workload: 3, label: `stop all → no unit left, N=${nSmall} (Ensemble via \`supervisor shutdown\`)`, unit: 'ms' },
    { id: 'stop', workload: 3, label: `stop all → no unit left, N=${n}`, unit: 'ms' },
    { id: 'rss', workload: 4, label: `supervisor RSS after start, N=${n}`, unit: 'MiB' },
    { id: 'pss', workload: 4, label: `supervisor PSS after start, N=${n}`, unit: 'MiB' },
    { id: 'rssRestarts', workload: 4, label: `supervisor RSS after ${restarts} restarts`, unit: 'MiB' },
    { id: 'pssRestarts', workload: 4, label: `supervisor PSS after ${restarts} restarts`, unit: 'MiB' },
    { id: 'idleCpu', workload: 5, label: `idle CPU over ${idleS} s, N=${n}`, unit: '% core' },
    { id: 'crashStarts', workload: 6, label: `crash loop: starts in ${crashS} s`, unit: 'starts' },
    { id: 'crashCpu', workload: 6, label: `crash loop: supervisor CPU over ${crashS} s`, unit: '% core' },
  ];
}
