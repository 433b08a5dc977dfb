import type { Currency } from './currencies';

// Risk screening before the charge (docs/architecture.md, "Risk screening"): rules are data, versioned;
// an assessment keeps the version and every rule's hit and score, so a decision can be explained later
// even after the rules changed. Pure: the worker gathers the signals, this scores them.

export const RISK_LEVELS = ['normal', 'elevated', 'highest'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export type RiskOutcome = 'allow' | 'block';

/** Amount thresholds in the currency's minor units: each reached tier adds its score (the highest one reached). */
export interface AmountTier {
  elevatedAt: number;
  blockAt: number;
}

export interface RiskRules {
  /** Stored with every assessment; change it whenever anything below changes. */
  version: string;
  /** score >= elevated -> `elevated`; score >= highest -> `highest` (and `block`). */
  levels: { elevated: number; highest: number };
  /** Per currency; roughly USD 5,000 / 10,000 at the rates of late 2026. */
  amounts: Record<Currency, AmountTier>;
  scores: {
    amountElevated: number;
    amountBlock: number;
    firstPayment: number;
    hourCount: number;
    dayCount: number;
    /** The hour's earlier payments and this one together reach the currency's block tier (splitting). */
    hourAmount: number;
    dayDeclines: number;
    hourCurrencies: number;
  };
  limits: {
    /** Other payments of the user in the hour before this one. */
    hourCount: number;
    /** ... in the 24 hours before. */
    dayCount: number;
    /** FAILED payments of the user created in the 24 hours before. */
    dayDeclines: number;
    /** Distinct currencies in the hour, this payment included. */
    hourCurrencies: number;
  };
}

/** The platform's rules. The README's "Risk screening" table is this data; keep them the same. */
export const RISK_RULES: RiskRules = {
  version: '2026-11-30.1',
  levels: { elevated: 65, highest: 75 },
  amounts: {
    AUD: { elevatedAt: 750_000, blockAt: 1_500_000 },
    BRL: { elevatedAt: 2_500_000, blockAt: 5_000_000 },
    CAD: { elevatedAt: 700_000, blockAt: 1_400_000 },
    CHF: { elevatedAt: 450_000, blockAt: 900_000 },
    CNY: { elevatedAt: 3_500_000, blockAt: 7_000_000 },
    DKK: { elevatedAt: 3_500_000, blockAt: 7_000_000 },
    EUR: { elevatedAt: 450_000, blockAt: 900_000 },
    GBP: { elevatedAt: 400_000, blockAt: 800_000 },
    HKD: { elevatedAt: 4_000_000, blockAt: 8_000_000 },
    INR: { elevatedAt: 40_000_000, blockAt: 80_000_000 },
    JPY: { elevatedAt: 750_000, blockAt: 1_500_000 },
    MXN: { elevatedAt: 10_000_000, blockAt: 20_000_000 },
    NOK: { elevatedAt: 5_000_000, blockAt: 10_000_000 },
    NZD: { elevatedAt: 850_000, blockAt: 1_700_000 },
    PLN: { elevatedAt: 2_000_000, blockAt: 4_000_000 },
    SEK: { elevatedAt: 5_000_000, blockAt: 10_000_000 },
    SGD: { elevatedAt: 650_000, blockAt: 1_300_000 },
    USD: { elevatedAt: 500_000, blockAt: 1_000_000 },
    ZAR: { elevatedAt: 9_000_000, blockAt: 18_000_000 },
  },
  // Only the amount tiers reach a level alone; the behavioural signals together top out at 65 (elevated),
  // and any of them on top of an elevated amount reaches `highest`.
  scores: {
    amountElevated: 65,
    amountBlock: 100,
    firstPayment: 5,
    hourCount: 15,
    dayCount: 5,
    hourAmount: 10,
    dayDeclines: 20,
    hourCurrencies: 10,
  },
  limits: { hourCount: 10, dayCount: 50, dayDeclines: 3, hourCurrencies: 3 },
};

/** What the rules look at, besides the payment: the user's history before it (read by the worker). */
export interface RiskSignals {
  /** The user had a payment before this one. */
  hasEarlierPayment: boolean;
  hourCount: number;
  dayCount: number;
  /** Sum of the user's payments in the hour before, in this payment's currency (minor units). */
  hourAmount: number;
  dayDeclines: number;
  /** Distinct currencies of the user's payments in the hour, this one's included. */
  hourCurrencies: number;
}

export const RISK_RULE_NAMES = [
  'amount_threshold',
  'first_payment',
  'velocity_hour_count',
  'velocity_day_count',
  'velocity_hour_amount',
  'declines_24h',
  'currencies_hour',
] as const;
export type RiskRuleName = (typeof RISK_RULE_NAMES)[number];

/** One rule's verdict: every rule is stored, hit or not. */
export interface RuleResult {
  rule: RiskRuleName;
  hit: boolean;
  score: number;
}

export interface RiskDecision {
  score: number;
  level: RiskLevel;
  outcome: RiskOutcome;
  rules: RuleResult[];
  rulesVersion: string;
}

/** A stored assessment: the decision about one payment, at one time. */
export interface RiskAssessment extends RiskDecision {
  paymentId: string;
  assessedAt: Date;
}

/** What the API shows of an assessment: the rules that hit. */
export interface RiskSummary {
  score: number;
  level: RiskLevel;
  outcome: RiskOutcome;
  reasons: { rule: RiskRuleName; score: number }[];
  rules_version: string;
  assessed_at: string;
}

export function levelOf(score: number, levels: RiskRules['levels']): RiskLevel {
  if (score >= levels.highest) return 'highest';
  if (score >= levels.elevated) return 'elevated';
  return 'normal';
}

/** Scores a payment: the sum of the rules that hit, capped at 100; `block` exactly at `highest`. */
export function assessRisk(
  payment: { amount: number; currency: string },
  signals: RiskSignals,
  rules: RiskRules = RISK_RULES,
): RiskDecision {
  const { scores, limits } = rules;
  const tier = rules.amounts[payment.currency as Currency];
  const amountScore = !tier
    ? 0
    : payment.amount >= tier.blockAt
      ? scores.amountBlock
      : payment.amount >= tier.elevatedAt
        ? scores.amountElevated
        : 0;
  const rule = (name: RiskRuleName, hit: boolean, score: number): RuleResult => ({
    rule: name,
    hit,
    score: hit ? score : 0,
  });
  const results = [
    rule('amount_threshold', amountScore > 0, amountScore),
    rule('first_payment', !signals.hasEarlierPayment, scores.firstPayment),
    rule('velocity_hour_count', signals.hourCount >= limits.hourCount, scores.hourCount),
    rule('velocity_day_count', signals.dayCount >= limits.dayCount, scores.dayCount),
    rule(
      'velocity_hour_amount',
      // Splitting: earlier payments of the hour and this one together reach the block tier.
      tier !== undefined && signals.hourAmount > 0 && signals.hourAmount + payment.amount >= tier.blockAt,
      scores.hourAmount,
    ),
    rule('declines_24h', signals.dayDeclines >= limits.dayDeclines, scores.dayDeclines),
    rule('currencies_hour', signals.hourCurrencies >= limits.hourCurrencies, scores.hourCurrencies),
  ];
  const score = Math.min(
    100,
    results.reduce((sum, r) => sum + r.score, 0),
  );
  const level = levelOf(score, rules.levels);
  return {
    score,
    level,
    outcome: level === 'highest' ? 'block' : 'allow',
    rules: results,
    rulesVersion: rules.version,
  };
}

export function riskSummary(a: RiskAssessment): RiskSummary {
  return {
    score: a.score,
    level: a.level,
    outcome: a.outcome,
    reasons: a.rules.filter((r) => r.hit).map((r) => ({ rule: r.rule, score: r.score })),
    rules_version: a.rulesVersion,
    assessed_at: a.assessedAt.toISOString(),
  };
}

/** The failure reason a blocked payment carries: readable, naming what hit. */
export function blockedReason(a: Pick<RiskAssessment, 'score' | 'rules'>): string {
  const hits = a.rules.filter((r) => r.hit).map((r) => `${r.rule} +${r.score}`);
  return `Blocked by risk screening (score ${a.score}: ${hits.join(', ')}).`;
}
