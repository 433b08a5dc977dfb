import { CURRENCIES } from '../../lambdas/shared/domain/currencies';
import {
  assessRisk,
  blockedReason,
  levelOf,
  RISK_RULE_NAMES,
  RISK_RULES,
  type RiskRules,
  type RiskSignals,
} from '../../lambdas/shared/domain/risk';

/** A returning user with nothing unusual in their history. */
const quiet: RiskSignals = {
  hasEarlierPayment: true,
  hourCount: 0,
  dayCount: 0,
  hourAmount: 0,
  dayDeclines: 0,
  hourCurrencies: 1,
};
const usd = (amount: number) => ({ amount, currency: 'USD' });
const hits = (d: ReturnType<typeof assessRisk>) => d.rules.filter((r) => r.hit).map((r) => r.rule);

describe('risk rules', () => {
  it('a quiet returning user paying a small amount: score 0, normal, allow; every rule recorded', () => {
    const d = assessRisk(usd(2500), quiet);
    expect(d).toMatchObject({
      score: 0,
      level: 'normal',
      outcome: 'allow',
      rulesVersion: RISK_RULES.version,
    });
    expect(d.rules.map((r) => r.rule)).toEqual([...RISK_RULE_NAMES]);
    expect(d.rules.every((r) => !r.hit && r.score === 0)).toBe(true);
  });

  it.each([
    ['below the elevated tier', 499_999, 0, 'normal', 'allow'],
    ['at the elevated tier', 500_000, 65, 'elevated', 'allow'],
    ['just under the block tier', 999_999, 65, 'elevated', 'allow'],
    ['at the block tier (USD 10,000.00)', 1_000_000, 100, 'highest', 'block'],
  ])('amount_threshold: USD %s', (_name, amount, score, level, outcome) => {
    const d = assessRisk(usd(amount), quiet);
    expect(d).toMatchObject({ score, level, outcome });
    expect(hits(d)).toEqual(score > 0 ? ['amount_threshold'] : []);
  });

  it('every currency has its own tiers, elevated below block', () => {
    for (const c of CURRENCIES) {
      const tier = RISK_RULES.amounts[c];
      expect(tier.elevatedAt).toBeLessThan(tier.blockAt);
      expect(assessRisk({ amount: tier.blockAt, currency: c }, quiet).outcome).toBe('block');
      expect(assessRisk({ amount: tier.blockAt - 1, currency: c }, quiet).level).toBe('elevated');
    }
    // JPY has no minor unit: USD 10,000 is about JPY 1,500,000.
    expect(assessRisk({ amount: 1_000_000, currency: 'JPY' }, quiet).outcome).toBe('allow');
  });

  it.each([
    ['first_payment', { hasEarlierPayment: false }, 5],
    ['velocity_hour_count', { hourCount: 10 }, 15],
    ['velocity_day_count', { dayCount: 50 }, 5],
    ['velocity_hour_amount', { hourAmount: 999_000 }, 10],
    ['declines_24h', { dayDeclines: 3 }, 20],
    ['currencies_hour', { hourCurrencies: 3 }, 10],
  ] as const)('%s hits at its limit and adds its score', (rule, signals, score) => {
    const d = assessRisk(usd(1000), { ...quiet, ...signals });
    expect(d.score).toBe(score);
    expect(d.rules.filter((r) => r.hit)).toEqual([{ rule, hit: true, score }]);
  });

  it.each([
    ['velocity_hour_count', { hourCount: 9 }],
    ['velocity_day_count', { dayCount: 49 }],
    ['velocity_hour_amount', { hourAmount: 998_999 }],
    ['declines_24h', { dayDeclines: 2 }],
    ['currencies_hour', { hourCurrencies: 2 }],
  ] as const)('%s stays quiet just under its limit', (_rule, signals) => {
    expect(assessRisk(usd(1000), { ...quiet, ...signals }).score).toBe(0);
  });

  it('behaviour alone tops out at elevated; on top of an elevated amount it blocks', () => {
    const everything: RiskSignals = {
      hasEarlierPayment: false,
      hourCount: 99,
      dayCount: 99,
      hourAmount: 2_000_000,
      dayDeclines: 9,
      hourCurrencies: 5,
    };
    expect(assessRisk(usd(1000), everything)).toMatchObject({
      score: 65,
      level: 'elevated',
      outcome: 'allow',
    });
    expect(assessRisk(usd(500_000), { ...quiet, hourCount: 10 })).toMatchObject({
      score: 80,
      level: 'highest',
      outcome: 'block',
    });
    // A first payment at the elevated tier stays elevated (the README's scripted `elevated`).
    expect(assessRisk(usd(500_000), { ...quiet, hasEarlierPayment: false })).toMatchObject({
      score: 70,
      level: 'elevated',
      outcome: 'allow',
    });
  });

  it('the score is the sum of contributions, capped at 100', () => {
    const d = assessRisk(usd(1_000_000), { ...quiet, hasEarlierPayment: false, dayDeclines: 3 });
    expect(d.rules.reduce((s, r) => s + r.score, 0)).toBe(125);
    expect(d.score).toBe(100);
  });

  it('levels: normal < 65 <= elevated < 75 <= highest, and only highest blocks', () => {
    const levels = RISK_RULES.levels;
    expect([0, 64, 65, 74, 75, 100].map((s) => levelOf(s, levels))).toEqual([
      'normal',
      'normal',
      'elevated',
      'elevated',
      'highest',
      'highest',
    ]);
  });

  it('thresholds and the version are data: another rule set scores and labels by its own', () => {
    const strict: RiskRules = { ...RISK_RULES, version: 'strict-1', levels: { elevated: 5, highest: 10 } };
    expect(assessRisk(usd(1000), { ...quiet, hasEarlierPayment: false }, strict)).toMatchObject({
      score: 5,
      level: 'elevated',
      rulesVersion: 'strict-1',
    });
    expect(assessRisk(usd(1000), { ...quiet, hourCount: 10 }, strict).outcome).toBe('block');
  });

  it('a blocked reason names the score and what hit', () => {
    const d = assessRisk(usd(1_000_000), { ...quiet, hasEarlierPayment: false });
    expect(blockedReason(d)).toBe(
      'Blocked by risk screening (score 100: amount_threshold +100, first_payment +5).',
    );
  });
});
