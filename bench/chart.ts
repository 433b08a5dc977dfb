import type { LagRound } from './async-path';
import type { LoadRound } from './ceiling';
import type { HttpRound } from './http-load';
import { round, spread } from './stats';

/** The rounds of the create phase at one connection count: what the chart draws and the report tabulates. */
export interface CreateResult {
  connections: number;
  ceiling: LoadRound[];
  http: HttpRound[];
  lag: LagRound[];
}

// docs/benchmarks.svg, written by hand: create throughput (HTTP and the SQL-only ceiling, left axis) and
// p99 latency (right axis) against connections, medians with min-max whiskers.

const W = 760;
const H = 420;
const PAD = { left: 70, right: 70, top: 50, bottom: 70 };
const COLORS = { ceiling: '#6b7280', http: '#2563eb', p99: '#dc2626', target: '#f59e0b' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * magnitude).find((v) => v >= value)!;
}

export function renderChart(create: readonly CreateResult[]): string {
  const points = create.map((c) => ({
    connections: c.connections,
    ceiling: spread(c.ceiling.map((x) => x.requestsPerSecond)),
    http: spread(c.http.map((x) => x.requestsPerSecond)),
    p99: spread(c.http.map((x) => x.p99Ms)),
  }));
  const maxRps = niceMax(Math.max(...points.flatMap((p) => [p.ceiling.max, p.http.max])) * 1.05);
  const maxMs = niceMax(Math.max(25, ...points.map((p) => p.p99.max)) * 1.05);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const logs = points.map((p) => Math.log2(p.connections));
  const [lo, hi] = [Math.min(...logs), Math.max(...logs)];
  const x = (connections: number) => PAD.left + ((Math.log2(connections) - lo) / (hi - lo || 1)) * plotW;
  const yRps = (v: number) => PAD.top + plotH - (v / maxRps) * plotH;
  const yMs = (v: number) => PAD.top + plotH - (v / maxMs) * plotH;
  const out: string[] = [];
  const line = (key: 'ceiling' | 'http' | 'p99', y: (v: number) => number, color: string, dash = '') => {
    const d = points
      .map((p, i) => `${i ? 'L' : 'M'}${x(p.connections).toFixed(1)},${y(p[key].median).toFixed(1)}`)
      .join(' ');
    out.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
    );
    for (const p of points) {
      const cx = x(p.connections);
      out.push(
        `<line x1="${cx}" x2="${cx}" y1="${y(p[key].min).toFixed(1)}" y2="${y(p[key].max).toFixed(1)}" stroke="${color}" stroke-width="1.5"/>`,
        `<circle cx="${cx}" cy="${y(p[key].median).toFixed(1)}" r="4" fill="${color}"/>`,
        `<text x="${cx + 7}" y="${(y(p[key].median) - 6).toFixed(1)}" font-size="11" fill="${color}">${round(p[key].median)}</text>`,
      );
    }
  };
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">POST /payments: throughput and p99 against connections</text>`,
  );
  for (let i = 0; i <= 5; i++) {
    const y = PAD.top + (plotH * i) / 5;
    out.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`,
      `<text x="${PAD.left - 8}" y="${y + 4}" text-anchor="end" font-size="11">${round((maxRps * (5 - i)) / 5)}</text>`,
      `<text x="${W - PAD.right + 8}" y="${y + 4}" font-size="11" fill="${COLORS.p99}">${round((maxMs * (5 - i)) / 5)}</text>`,
    );
  }
  for (const p of points) {
    out.push(
      `<text x="${x(p.connections)}" y="${H - PAD.bottom + 18}" text-anchor="middle" font-size="12">${p.connections}</text>`,
    );
  }
  out.push(
    `<text x="${W / 2}" y="${H - PAD.bottom + 38}" text-anchor="middle" font-size="12">connections (log scale)</text>`,
    `<text transform="translate(18 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="12">requests/s</text>`,
    `<text transform="translate(${W - 16} ${PAD.top + plotH / 2}) rotate(90)" text-anchor="middle" font-size="12" fill="${COLORS.p99}">p99 latency (ms)</text>`,
  );
  if (20 <= maxMs) {
    const y = yMs(20).toFixed(1);
    out.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="${COLORS.target}" stroke-dasharray="3 4"/>`,
      `<text x="${W - PAD.right - 4}" y="${Number(y) - 4}" text-anchor="end" font-size="10" fill="${COLORS.target}">p99 target 20 ms</text>`,
    );
  }
  line('ceiling', yRps, COLORS.ceiling, '7 5');
  line('http', yRps, COLORS.http);
  line('p99', yMs, COLORS.p99, '2 3');
  const legend = [
    [COLORS.ceiling, '(1) ceiling: the same SQL transaction via the postgres driver (req/s)'],
    [COLORS.http, '(2) POST /payments over HTTP (req/s)'],
    [COLORS.p99, '(2) HTTP p99 latency (ms, right axis)'],
  ];
  legend.forEach(([color, label], i) => {
    out.push(
      `<rect x="${PAD.left + 10}" y="${PAD.top + 6 + i * 16}" width="14" height="4" fill="${color}"/>`,
      `<text x="${PAD.left + 30}" y="${PAD.top + 12 + i * 16}" font-size="11">${esc(label!)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
