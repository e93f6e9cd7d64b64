import type { BenchResult } from './harness.js';
import { metrics, type Metric } from './metrics.js';
import { ratio, summarize, type Summary } from './stats.js';

function digits(metric: Metric): number {
  if (metric.unit === '% core') return 3;
  if (metric.unit === 'starts') return 0;
  return 1;
}

/** One Markdown-safe line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
}

function cell(s: Summary | undefined, metric: Metric): string {
  if (!s) return '—';
  const d = digits(metric);
  return s.count > 1 ? `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})` : s.median.toFixed(d);
}

/** The results as Markdown: environment, figures, ratios, targets, errors, later-stage output. */
export function renderMarkdown(result: BenchResult): string {
  const o = result.options;
  const env = result.environment;
  const list = metrics(o.n, o.nSmall, o.restarts, o.idleSeconds, o.crashSeconds);
  const cols = result.columns;
  const lines: string[] = [];
  lines.push(`Run of ${env.date} — ${o.reps} repetition(s) per peer, peers alternated within each repetition; ${result.durationS} s in all.`);
  lines.push('');
  lines.push(`- Machine: ${env.cpu}, ${env.cores} cores, ${env.memory}, ${env.kernel}, Node ${env.node}`);
  lines.push(`- Versions: ${Object.values(env.versions).join(', ')}`);
  lines.push(`- Load average (1, 5, 15 min): ${env.loadBefore.join(', ')} before, ${result.loadAfter.join(', ')} after`);
  if (o.quick) lines.push('- Quick run (`--quick`): short windows, figures are indicative only');
  for (const u of result.unavailable) lines.push(`- Not measured: ${u.peer} (${u.reason})`);
  lines.push('');
  lines.push('Median (min–max) over all samples; lower is better.');
  lines.push('');
  lines.push(`| # | figure | unit | ${cols.join(' | ')} |`);
  lines.push(`|---|---|---|${cols.map(() => '---').join('|')}|`);
  for (const m of list) {
    const row = cols.map((c) => cell(summarize(result.samples[m.id]?.[c] ?? []), m));
    if (row.every((c) => c === '—')) continue;
    lines.push(`| ${m.workload} | ${m.label} | ${m.unit} | ${row.join(' | ')} |`);
  }
  const others = cols.filter((c) => c !== 'ensemble' && !c.startsWith('ensemble+'));
  if (cols.includes('ensemble') && others.length > 0) {
    lines.push('');
    lines.push('Ratio Ensemble / peer (medians of the same run; below 1 means Ensemble is better).');
    lines.push('');
    lines.push(`| figure | ${others.map((c) => `ensemble / ${c}`).join(' | ')} |`);
    lines.push(`|---|${others.map(() => '---').join('|')}|`);
    for (const m of list) {
      const e = summarize(result.samples[m.id]?.ensemble ?? []);
      const row = others.map((c) => {
        const r = ratio(e, summarize(result.samples[m.id]?.[c] ?? []));
        return r === undefined ? '—' : `${r.toFixed(2)}x`;
      });
      if (row.every((c) => c === '—')) continue;
      lines.push(`| ${m.label} | ${row.join(' | ')} |`);
    }
  }
  lines.push('');
  lines.push('Targets (Ensemble, medians, same-run ratios):');
  lines.push('');
  lines.push('| target | verdict | figures |');
  lines.push('|---|---|---|');
  for (const t of result.targets) lines.push(`| ${t.target} | **${t.verdict}** | ${t.figure} |`);
  if (result.errors.length > 0) {
    lines.push('');
    lines.push('Errors (a failed measurement is missing from the tables above; a failed shutdown lists what it left behind):');
    lines.push('');
    const seen = new Set<string>();
    for (const e of result.errors) {
      const key = `${e.workload}|${e.peer}|${e.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const reps = result.errors.filter((x) => `${x.workload}|${x.peer}|${x.message}` === key).length;
      lines.push(`- ${e.peer}, ${e.workload}${reps > 1 ? ` (×${reps})` : ''}: ${oneLine(e.message)}`);
    }
  }
  if (result.leftovers.length > 0) {
    lines.push('');
    lines.push(`**Processes left behind (killed by pid): ${result.leftovers.map((p) => `${p.pid} ${p.comm} (${oneLine(p.cmdline).slice(0, 60)}, state ${p.state})`).join(', ')}**`);
  }
  lines.push('');
  lines.push('Workload 7 (figure scripts of the other issues):');
  lines.push('');
  for (const l of result.laterStage) {
    if (l.status === 'ok') {
      lines.push(`- ${l.title} (bench/${l.script}):`);
      lines.push('');
      lines.push('```');
      lines.push(l.output);
      lines.push('```');
    } else {
      lines.push(`- ${l.title} (bench/${l.script}): ${l.status} — ${oneLine(l.output)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Replace every occurrence of each path (longest first) with its stand-in. */
export function redact(text: string, paths: ReadonlyArray<readonly [string, string]>): string {
  let out = text;
  for (const [path, standIn] of [...paths].filter(([p]) => p.length > 1).sort((a, b) => b[0].length - a[0].length)) {
    out = out.split(path).join(standIn);
  }
  return out;
}
