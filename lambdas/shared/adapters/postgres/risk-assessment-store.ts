import type { RiskAssessmentStore } from '../../use-cases/ports';
import type { Database } from './database';
import { enqueueEventStatement } from './outbox';
import { findPayment, riskSignals } from './payments';
import { findAssessment, insertAssessmentStatement } from './risk-assessments';

export class PostgresRiskAssessmentStore implements RiskAssessmentStore {
  constructor(private readonly db: Database) {}

  findPayment = (id: string) => findPayment(this.db, id);
  findAssessment = (paymentId: string) => findAssessment(this.db, paymentId);
  signals: RiskAssessmentStore['signals'] = (payment) => riskSignals(this.db, payment);

  /** One statement (one round trip, atomic): the assessment, and its event only if the assessment was new. */
  record: RiskAssessmentStore['record'] = async (assessment, userId, event) => {
    const sql = this.db;
    const [result] = await sql<{ written: number }[]>`
      WITH assessment AS (${insertAssessmentStatement(sql, assessment, userId)}),
           event AS (${enqueueEventStatement(sql, event, 'assessment')})
      SELECT count(*)::int AS written FROM assessment`;
    return result?.written === 1;
  };
}
