import type { RiskAssessment, RiskLevel, RiskOutcome, RuleResult } from '../../domain/risk';
import type { Queryable } from './database';

// The only module that reads or writes the `risk_assessments` table.

interface AssessmentRow {
  payment_id: string;
  score: number;
  level: RiskLevel;
  outcome: RiskOutcome;
  rules_version: string;
  rules: RuleResult[];
  assessed_at: Date;
}

const toAssessment = (r: AssessmentRow): RiskAssessment => ({
  paymentId: r.payment_id,
  score: r.score,
  level: r.level,
  outcome: r.outcome,
  rulesVersion: r.rules_version,
  rules: r.rules,
  assessedAt: r.assessed_at,
});

/**
 * The INSERT as a statement fragment: writes nothing when the payment was assessed before (a duplicate or
 * concurrent delivery), so a CTE over it yields a row only for the one delivery that wrote it.
 */
export function insertAssessmentStatement(sql: Queryable, a: RiskAssessment, userId: string) {
  return sql`
    INSERT INTO risk_assessments (payment_id, user_id, score, level, outcome, rules_version, rules, assessed_at)
    VALUES (${a.paymentId}::uuid, ${userId}, ${a.score}, ${a.level}, ${a.outcome}, ${a.rulesVersion},
            ${sql.json(a.rules as never)}::jsonb, ${a.assessedAt})
    ON CONFLICT (payment_id) DO NOTHING
    RETURNING payment_id`;
}

export async function findAssessment(db: Queryable, paymentId: string): Promise<RiskAssessment | undefined> {
  const [row] = await db<AssessmentRow[]>`SELECT * FROM risk_assessments WHERE payment_id = ${paymentId}`;
  return row && toAssessment(row);
}

/** The assessments of these payments (the API's listing attaches them to a page). */
export async function assessmentsFor(
  db: Queryable,
  paymentIds: readonly string[],
): Promise<Map<string, RiskAssessment>> {
  if (paymentIds.length === 0) return new Map();
  const rows = await db<AssessmentRow[]>`
    SELECT * FROM risk_assessments WHERE payment_id = ANY(${paymentIds as string[]}::uuid[])`;
  return new Map(rows.map((r) => [r.payment_id, toAssessment(r)]));
}

/** A filter on `payments` (aliased `payments`): only payments assessed at `level`. */
export function assessedAtLevel(sql: Queryable, level: RiskLevel) {
  return sql`AND EXISTS (SELECT 1 FROM risk_assessments r WHERE r.payment_id = payments.id AND r.level = ${level})`;
}
