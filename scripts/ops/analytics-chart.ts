import type { DailyStats } from '../../lambdas/shared/domain/analytics';

// The SVG chart of `npm run ops -- analytics report`: payments per day (bars, left axis) and the day's success
// rate (line, right axis, 0-100 %). Plain SVG, no library; currencies are added up per day (counts, not money).

export interface DayTotals {
  day: string;
  payments: number;
  succeeded: number;
}

/** Per day, every currency together, in day order. */
export function totalsPerDay(stats: readonly DailyStats[]): DayTotals[] {
  const byDay = new Map<string, DayTotals>();
  for (const s of stats) {
    const day = byDay.get(s.day) ?? { day: s.day, payments: 0, succeeded: 0 };
    day.payments += s.payments;
    day.succeeded += s.succeeded;
    byDay.set(s.day, day);
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
}

const W = 720;
const H = 320;
const PAD = { left: 56, right: 56, top: 36, bottom: 48 };

export function analyticsChartSvg(
  days: readonly DayTotals[],
  title = 'Payments per day and success rate',
): string {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const max = Math.max(1, ...days.map((d) => d.payments));
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(2, slot * 0.6);
  const x = (i: number) => PAD.left + slot * i + slot / 2;
  const yCount = (n: number) => PAD.top + plotH - (n / max) * plotH;
  const yRate = (r: number) => PAD.top + plotH - r * plotH;
  const rate = (d: DayTotals) => (d.payments === 0 ? 0 : d.succeeded / d.payments);
  const bars = days.map(
    (d, i) =>
      `<rect class="volume" x="${(x(i) - barW / 2).toFixed(1)}" y="${yCount(d.payments).toFixed(1)}" width="${barW.toFixed(1)}" height="${(PAD.top + plotH - yCount(d.payments)).toFixed(1)}" fill="#8fb3de"><title>${d.day}: ${d.payments} payments</title></rect>`,
  );
  const labels = days.map(
    (d, i) =>
      `<text x="${x(i).toFixed(1)}" y="${H - PAD.bottom + 16}" font-size="10" text-anchor="middle">${d.day.slice(5)}</text>`,
  );
  const line = days.map((d, i) => `${x(i).toFixed(1)},${yRate(rate(d)).toFixed(1)}`).join(' ');
  const dots = days.map(
    (d, i) =>
      `<circle class="success-rate" cx="${x(i).toFixed(1)}" cy="${yRate(rate(d)).toFixed(1)}" r="3" fill="#c0392b"><title>${d.day}: ${(rate(d) * 100).toFixed(1)}% succeeded</title></circle>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" font-size="14" text-anchor="middle">${title}</text>`,
    `<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${W - PAD.right}" y2="${PAD.top + plotH}" stroke="#333"/>`,
    `<text x="${PAD.left - 6}" y="${PAD.top + 4}" font-size="10" text-anchor="end">${max}</text>`,
    `<text x="${PAD.left - 6}" y="${PAD.top + plotH}" font-size="10" text-anchor="end">0</text>`,
    `<text x="${W - PAD.right + 6}" y="${PAD.top + 4}" font-size="10">100%</text>`,
    `<text x="${W - PAD.right + 6}" y="${PAD.top + plotH}" font-size="10">0%</text>`,
    `<text x="14" y="${PAD.top + plotH / 2}" font-size="11" transform="rotate(-90 14 ${PAD.top + plotH / 2})" text-anchor="middle">payments (bars)</text>`,
    `<text x="${W - 10}" y="${PAD.top + plotH / 2}" font-size="11" transform="rotate(90 ${W - 10} ${PAD.top + plotH / 2})" text-anchor="middle">success rate (line)</text>`,
    ...bars,
    ...labels,
    days.length > 1 ? `<polyline points="${line}" fill="none" stroke="#c0392b" stroke-width="2"/>` : '',
    ...dots,
    '</svg>',
    '',
  ].join('\n');
}
