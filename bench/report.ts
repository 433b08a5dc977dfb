import { readFile, writeFile } from 'node:fs/promises';
import type { BurstRound } from './async-path';
import type { BundleResult } from './bundles';
import type { LoadRound } from './ceiling';
import { type CreateResult, renderChart } from './chart';
import type { EventsRound } from './events';
import type { HttpRound } from './http-load';
import type { Machine } from './machine';
import type { PublishRound } from './publish-cost';
import { round, type Spread, spread } from './stats';

// The table (stdout and docs/BENCHMARKS.md), bench/results.json and the chart, from one set of rounds.

export interface Results {
  startedAt: string;
  machine: Machine;
  settings: Record<string, number>;
  /** (2)-(4) as the targets mean them: the runtime without queue consumers (the API alone). */
  create: CreateResult[];
  /** The same with the whole async path running in the same process (no targets: extra rows). */
  createWithConsumers?: CreateResult[];
  /** The API's after-commit publish alone (bench/publish-cost.ts). */
  publish?: PublishRound[];
  replay?: HttpRound[];
  get?: HttpRound[];
  burst?: BurstRound[];
  bundles?: BundleResult[];
  /** (7) POST /events at 16 connections with the consumers running, and accept -> processed. */
  events?: EventsRound[];
  wallSeconds?: number;
}

export interface Row {
  id: string;
  measurement: string;
  unit: string;
  value: Spread;
  target?: string;
  met?: boolean;
}

const KIB = 1024;
const of = <T>(items: readonly T[], pick: (t: T) => number) => spread(items.map(pick));
const fmt = (n: number) => (Number.isFinite(n) ? String(round(n)) : 'n/a');
const show = (s: Spread) => `${fmt(s.median)} (${fmt(s.min)}-${fmt(s.max)})`;

/** Rows of (1), (2) and (4) at one concurrency; `whole` = measured with the consumers running (no targets). */
function createRows(c: CreateResult, whole: boolean): Row[] {
  const rows: Row[] = [];
  const idp = whole ? 'async.' : '';
  const tag = whole ? ', whole async path running' : '';
  const n = c.connections;
  rows.push({
    id: `${idp}1.c${n}`,
    measurement: `(1) create ceiling, SQL only, ${n} conn${tag}`,
    unit: 'req/s',
    value: of(c.ceiling, (x) => x.requestsPerSecond),
  });
  rows.push({
    id: `${idp}1.c${n}.p99`,
    measurement: `(1) create ceiling p99, ${n} conn${tag}`,
    unit: 'ms',
    value: of(c.ceiling, (x) => x.p99Ms),
  });
  const ratio = spread(c.http.map((h, i) => h.requestsPerSecond / c.ceiling[i]!.requestsPerSecond));
  const at16 = n === 16;
  const targeted = at16 && !whole;
  rows.push({
    id: `${idp}2.c${n}`,
    measurement: `(2) create over HTTP, ${n} conn${tag}`,
    unit: 'req/s',
    value: of(c.http, (x) => x.requestsPerSecond),
  });
  rows.push({
    id: `${idp}2.c${n}.p50`,
    measurement: `(2) create over HTTP p50, ${n} conn${tag}`,
    unit: 'ms',
    value: of(c.http, (x) => x.p50Ms),
  });
  rows.push({
    id: `${idp}2.c${n}.p99`,
    measurement: `(2) create over HTTP p99, ${n} conn${tag}`,
    unit: 'ms',
    value: of(c.http, (x) => x.p99Ms),
    ...(targeted ? { target: '<= 20', met: of(c.http, (x) => x.p99Ms).median <= 20 } : {}),
  });
  rows.push({
    id: `${idp}2.c${n}.ratio`,
    measurement: `(2) HTTP / ceiling, ${n} conn${tag}`,
    unit: '%',
    value: { median: ratio.median * 100, min: ratio.min * 100, max: ratio.max * 100 },
    ...(targeted ? { target: '>= 60', met: ratio.median >= 0.6 } : {}),
  });
  rows.push({
    id: `${idp}2.c${n}.failed`,
    measurement: `(2) failed requests, ${n} conn${tag}`,
    unit: 'count',
    value: of(c.http, (x) => x.errors + x.non2xx),
  });
  if (at16) {
    const per = (rounds: LoadRound[], key: string) => of(rounds, (x) => x.perRequest?.[key] ?? Number.NaN);
    rows.push({
      id: `${idp}1.c16.pgcpu`,
      measurement: `(1) PostgreSQL CPU per transaction, 16 conn${tag}`,
      unit: 'ms',
      value: per(c.ceiling, 'postgresCpuMs'),
    });
    rows.push({
      id: `${idp}1.c16.drivercpu`,
      measurement: `(1) driver (bench process) CPU per transaction, 16 conn${tag}`,
      unit: 'ms',
      value: per(c.ceiling, 'driverCpuMs'),
    });
    rows.push({
      id: `${idp}2.c16.runtimecpu`,
      measurement: `(2) runtime CPU per payment, 16 conn${whole ? tag : ', API alone'}`,
      unit: 'ms',
      value: per(c.http, 'runtimeCpuMs'),
    });
    rows.push({
      id: `${idp}2.c16.pgcpu`,
      measurement: `(2) PostgreSQL CPU per payment, 16 conn${whole ? tag : ', API alone'}`,
      unit: 'ms',
      value: per(c.http, 'postgresCpuMs'),
    });
    rows.push({
      id: `${idp}2.c16.commits`,
      measurement: `(2) commits per payment, 16 conn${whole ? tag : ', API alone'}`,
      unit: 'count',
      value: per(c.http, 'commits'),
    });
  }
  const lag99 = of(c.lag, (x) => x.p99Ms);
  rows.push({
    id: `${idp}4.c${n}.p50`,
    measurement: `(4) event lag p50 under (2), ${n} conn${tag}`,
    unit: 'ms',
    value: of(c.lag, (x) => x.p50Ms),
  });
  rows.push({
    id: `${idp}4.c${n}.p99`,
    measurement: `(4) event lag p99 under (2), ${n} conn${tag}`,
    unit: 'ms',
    value: lag99,
    ...(targeted ? { target: '<= 100', met: lag99.median <= 100 } : {}),
  });
  return rows;
}

/** (7): notification events. */
function eventRows(rounds: readonly EventsRound[]): Row[] {
  return [
    {
      id: '7.events',
      measurement: '(7) POST /events, 16 conn, consumers running',
      unit: 'req/s',
      value: of(rounds, (x) => x.http.requestsPerSecond),
    },
    {
      id: '7.events.p99',
      measurement: '(7) POST /events p99, 16 conn',
      unit: 'ms',
      value: of(rounds, (x) => x.http.p99Ms),
    },
    {
      id: '7.lag.p50',
      measurement: '(7) event accepted -> processed p50',
      unit: 'ms',
      value: of(rounds, (x) => x.lagP50Ms),
    },
    {
      id: '7.lag.p99',
      measurement: '(7) event accepted -> processed p99',
      unit: 'ms',
      value: of(rounds, (x) => x.lagP99Ms),
    },
  ];
}

export function summarise(r: Results): Row[] {
  const rows: Row[] = [];
  if (r.events) rows.push(...eventRows(r.events));
  for (const c of r.create) rows.push(...createRows(c, false));
  for (const c of r.createWithConsumers ?? []) rows.push(...createRows(c, true));
  if (r.publish) {
    rows.push({
      id: '2.publish.rate',
      measurement: '(2) after-commit publish alone: PutEvents calls, 16 callers',
      unit: 'calls/s',
      value: of(r.publish, (x) => x.callsPerSecond),
    });
    rows.push({
      id: '2.publish.client',
      measurement: '(2) after-commit publish alone: SDK client CPU per call',
      unit: 'ms',
      value: of(r.publish, (x) => x.clientCpuMs),
    });
    rows.push({
      id: '2.publish.runtime',
      measurement: '(2) after-commit publish alone: runtime CPU per call (local bus + enqueue)',
      unit: 'ms',
      value: of(r.publish, (x) => x.runtimeCpuMs),
    });
  }
  for (const [name, label] of [
    ['replay', 'replay (same key)'],
    ['get', 'GET /payments/{id}'],
  ] as const) {
    const rounds = r[name];
    if (!rounds) continue;
    rows.push({
      id: `3.${name}`,
      measurement: `(3) ${label}, 16 conn`,
      unit: 'req/s',
      value: of(rounds, (x) => x.requestsPerSecond),
    });
    rows.push({
      id: `3.${name}.p99`,
      measurement: `(3) ${label} p99, 16 conn`,
      unit: 'ms',
      value: of(rounds, (x) => x.p99Ms),
    });
  }
  if (r.burst) {
    const rate = of(r.burst, (x) => x.paymentsPerSecond);
    const http16 = r.create.find((c) => c.connections === 16);
    const createRate = http16 ? of(http16.http, (x) => x.requestsPerSecond).median : Number.NaN;
    const p99 = of(r.burst, (x) => x.createToTerminalP99Ms);
    rows.push({
      id: '5.drain',
      measurement: `(5) burst of ${r.settings.burst}: all terminal + notified`,
      unit: 's',
      value: of(r.burst, (x) => x.drainSeconds),
    });
    rows.push({ id: '5.rate', measurement: '(5) end-to-end payments/s', unit: 'payments/s', value: rate });
    rows.push({
      id: '5.ratio',
      measurement: '(5) end-to-end rate / create rate of (2) at 16 conn',
      unit: '%',
      value: {
        median: (rate.median / createRate) * 100,
        min: (rate.min / createRate) * 100,
        max: (rate.max / createRate) * 100,
      },
      target: '>= 80',
      met: rate.median / createRate >= 0.8,
    });
    const whole16 = r.createWithConsumers?.find((c) => c.connections === 16);
    if (whole16) {
      const wholeRate = of(whole16.http, (x) => x.requestsPerSecond).median;
      rows.push({
        id: '5.ratio.async',
        measurement: '(5) end-to-end rate / create rate of (2) at 16 conn, whole async path running',
        unit: '%',
        value: {
          median: (rate.median / wholeRate) * 100,
          min: (rate.min / wholeRate) * 100,
          max: (rate.max / wholeRate) * 100,
        },
      });
    }
    rows.push({
      id: '5.p50',
      measurement: '(5) create -> terminal p50',
      unit: 'ms',
      value: of(r.burst, (x) => x.createToTerminalP50Ms),
    });
    rows.push({
      id: '5.p99',
      measurement: '(5) create -> terminal p99',
      unit: 'ms',
      value: p99,
      target: '<= 2000',
      met: p99.median <= 2000,
    });
  }
  for (const b of r.bundles ?? []) {
    const kib = b.bytes / KIB;
    if (b.variant) {
      const name = `${b.function}, ${b.variant} (experiment, not deployed)`;
      rows.push({
        id: `6.${b.function}.${b.variant}.size`,
        measurement: `(6) ${name} bundle`,
        unit: 'KB',
        value: { median: kib, min: kib, max: kib },
      });
      rows.push({
        id: `6.${b.function}.${b.variant}.init`,
        measurement: `(6) ${name} init`,
        unit: 'ms',
        value: b.initMs,
      });
      continue;
    }
    rows.push({
      id: `6.${b.function}.size`,
      measurement: `(6) ${b.function} bundle`,
      unit: 'KB',
      value: { median: kib, min: kib, max: kib },
      // 600 KB until the X-Ray tracer (about 125 KB) joined every bundle (docs/infrastructure.md, "Bundles").
      target: '<= 700',
      met: kib <= 700,
    });
    rows.push({
      id: `6.${b.function}.init`,
      measurement: `(6) ${b.function} init`,
      unit: 'ms',
      value: b.initMs,
      target: '<= 150',
      met: b.initMs.median <= 150,
    });
    if (b.sdkPackages.length > 0) {
      rows.push({
        id: `6.${b.function}.sdk`,
        measurement: `(6) ${b.function}: its @aws-sdk imports alone`,
        unit: 'ms',
        value: b.sdkInitMs,
      });
    }
  }
  return rows;
}

function textTable(rows: Row[]): string {
  const header = ['measurement', 'median (min-max)', 'unit', 'target', 'met'];
  const cells = rows.map((r) => [
    r.measurement,
    show(r.value),
    r.unit,
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function markdownTable(rows: Row[]): string {
  return [
    '| measurement | median (min-max) | unit | target | met |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.measurement} | ${show(r.value)} | ${r.unit} | ${r.target ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |`,
    ),
  ].join('\n');
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

function resultsSection(r: Results, rows: Row[]): string {
  const m = r.machine;
  return [
    START,
    `Latest run: ${r.startedAt}, ${fmt(r.wallSeconds ?? Number.NaN)} s wall time. Machine: ${m.nproc} cores (\`nproc\`), ` +
      `${m.memoryGiB} GiB memory, ${m.cpuModel}, Node ${m.node}, ${m.postgres}; 1-minute load average ` +
      `${m.loadAverageAtStart} when the run started. Medians over ${r.settings.rounds} rounds of ${r.settings.roundSeconds} s ` +
      `after a ${r.settings.warmupSeconds} s warm-up (bursts: ${r.settings.burstRounds} after a warm-up burst; bundles: ` +
      `${r.settings.initSamples} fresh processes), min and max in brackets.`,
    '',
    markdownTable(rows),
    '',
    '![throughput and p99 against connections](benchmarks.svg)',
    END,
  ].join('\n');
}

export async function writeReports(
  r: Results,
  paths: { json: string; svg: string; markdown: string },
): Promise<string> {
  const rows = summarise(r);
  await writeFile(paths.json, `${JSON.stringify({ ...r, summary: rows }, null, 2)}\n`);
  if (r.create.length > 0) await writeFile(paths.svg, renderChart(r.create));
  let doc: string;
  try {
    doc = await readFile(paths.markdown, 'utf8');
  } catch {
    doc = `# Benchmarks\n\n${START}\n${END}\n`;
  }
  const section = resultsSection(r, rows);
  const at = doc.indexOf(START);
  const end = doc.indexOf(END);
  doc =
    at >= 0 && end > at ? doc.slice(0, at) + section + doc.slice(end + END.length) : `${doc}\n${section}\n`;
  await writeFile(paths.markdown, doc);
  return textTable(rows);
}
