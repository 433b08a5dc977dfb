import { analyticsChartSvg, totalsPerDay } from '../../scripts/ops/analytics-chart';

const stat = (day: string, currency: string, payments: number, succeeded: number) =>
  ({ day, currency, payments, succeeded }) as Parameters<typeof totalsPerDay>[0][number];

describe('the analytics report chart', () => {
  it('adds currencies up per day, in day order', () => {
    expect(
      totalsPerDay([
        stat('2026-11-02', 'USD', 4, 3),
        stat('2026-11-01', 'EUR', 1, 1),
        stat('2026-11-02', 'EUR', 6, 3),
      ]),
    ).toEqual([
      { day: '2026-11-01', payments: 1, succeeded: 1 },
      { day: '2026-11-02', payments: 10, succeeded: 6 },
    ]);
  });

  it('draws one bar per day, the tallest for the busiest day, and the success rate as a line', () => {
    const svg = analyticsChartSvg([
      { day: '2026-11-01', payments: 5, succeeded: 5 },
      { day: '2026-11-02', payments: 10, succeeded: 5 },
    ]);
    const heights = [...svg.matchAll(/class="volume"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(2);
    expect(heights[1]).toBeCloseTo(heights[0]! * 2, 0);
    const rates = [...svg.matchAll(/class="success-rate" cx="[\d.]+" cy="([\d.]+)"/g)].map((m) =>
      Number(m[1]),
    );
    expect(rates[1]! - rates[0]!).toBeGreaterThan(0); // 50% sits lower than 100%
    expect(svg).toContain('<polyline');
    expect(svg).toContain('2026-11-02: 50.0% succeeded');
  });

  it('draws an empty period without dividing by zero', () => {
    const svg = analyticsChartSvg([]);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg).not.toContain('class="volume"');
  });
});
