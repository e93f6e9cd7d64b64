import { parseArgs } from 'node:util';

/** What one harness run measures. */
export interface BenchOptions {
  /** Units for workloads 1–5 (default 100). */
  readonly n: number;
  /** Units for the small cold start (default 10). */
  readonly nSmall: number;
  /** Repetitions of every workload per peer (default 3). */
  readonly reps: number;
  /** Peer subset (`--peers ensemble,minimal`); undefined = all. */
  readonly peers: readonly string[] | undefined;
  readonly quick: boolean;
  /** Idle CPU window (default 30 s, 5 s with --quick). */
  readonly idleSeconds: number;
  /** Crash loop observation window (default 20 s, 5 s with --quick). */
  readonly crashSeconds: number;
  /** Restarts before the second footprint (default 100, 10 with --quick). */
  readonly restarts: number;
  /** Restart latency samples per repetition (default 10). */
  readonly restartSamples: number;
  /** Write the results as JSON to this file. */
  readonly json: string | undefined;
  /** Write the results table into docs/performance.md (default: on, off with --quick). */
  readonly docs: boolean;
  /** Run bench/install-peers.sh when a selected peer is missing (default on). */
  readonly install: boolean;
  /** Build dist/ (npm run build) before measuring Ensemble (default on). */
  readonly build: boolean;
  /** Run the later-stage figure scripts (workload 7; default on, off with --quick). */
  readonly later: boolean;
  /** Do not measure: report (and with --docs write) the results saved by an earlier --json. */
  readonly from: string | undefined;
}

/** Usage text for `npm run bench -- --help`. */
export const USAGE = `usage: npm run bench -- [options]
  --n N               units for workloads 1-5 (default 100)
  --n-small N         units for the small cold start (default 10)
  --reps R            repetitions per peer and workload (default 3; 1 with --quick)
  --peers a,b         subset of: ensemble, pm2, supervisord, runit, s6, minimal
  --quick             short windows, one repetition, no docs, no later-stage scripts
  --idle-seconds S    idle CPU window (default 30; 5 with --quick)
  --crash-seconds S   crash loop window (default 20; 5 with --quick)
  --restarts K        restarts before the second footprint (default 100; 10 with --quick)
  --samples K         restart latency samples per repetition (default 10; 3 with --quick)
  --json FILE         also write the results as JSON
  --docs / --no-docs  write the results into docs/performance.md (default: on unless --quick)
  --no-install        do not run bench/install-peers.sh for missing peers
  --no-build          do not run npm run build first
  --no-later          do not run the later-stage figure scripts (workload 7)
  --from FILE         do not measure: report the results an earlier --json saved (with --docs, write them)`;

/** Parse the command line; throws with a one-line message on a bad option. */
export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      n: { type: 'string' },
      'n-small': { type: 'string' },
      reps: { type: 'string' },
      peers: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'idle-seconds': { type: 'string' },
      'crash-seconds': { type: 'string' },
      restarts: { type: 'string' },
      samples: { type: 'string' },
      json: { type: 'string' },
      docs: { type: 'boolean' },
      'no-docs': { type: 'boolean' },
      'no-install': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      'no-later': { type: 'boolean', default: false },
      from: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const quick = values.quick === true;
  const int = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const v = Number(text);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${text}"`);
    return v;
  };
  const n = int('n', values.n, 100, 1);
  return {
    n,
    nSmall: int('n-small', values['n-small'], Math.min(10, n), 1),
    reps: int('reps', values.reps, quick ? 1 : 3, 1),
    peers: values.peers?.split(',').map((s) => s.trim()).filter(Boolean),
    quick,
    idleSeconds: int('idle-seconds', values['idle-seconds'], quick ? 5 : 30, 1),
    crashSeconds: int('crash-seconds', values['crash-seconds'], quick ? 5 : 20, 1),
    restarts: int('restarts', values.restarts, quick ? 10 : 100, 0),
    restartSamples: int('samples', values.samples, quick ? 3 : 10, 1),
    json: values.json,
    docs: values['no-docs'] ? false : (values.docs ?? !quick),
    install: !values['no-install'],
    build: !values['no-build'],
    later: !values['no-later'] && !quick,
    from: values.from,
  };
}
