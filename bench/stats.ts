/** Median, min and max of a set of samples. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

/** Summarize samples; undefined when there are none. */
export function summarize(samples: readonly number[]): Summary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, count: sorted.length };
}

/** Ensemble's median over the peer's; undefined when either is missing or the peer's is 0. */
export function ratio(ensemble: Summary | undefined, peer: Summary | undefined): number | undefined {
  if (!ensemble || !peer || peer.median === 0) return undefined;
  return ensemble.median / peer.median;
}
