import type { Payment } from '../../domain/payment';
import { riskSummary } from '../../domain/risk';
import type { PaymentQueries, PaymentView } from '../../use-cases/ports';
import type { Database } from './database';
import { balancesForUser } from './ledger';
import { listNotifications } from './notifications';
import { findPayment, listPayments } from './payments';
import { assessmentsFor } from './risk-assessments';

export class PostgresPaymentQueries implements PaymentQueries {
  constructor(private readonly db: Database) {}

  findPayment: PaymentQueries['findPayment'] = async (id) => {
    const payment = await findPayment(this.db, id);
    return payment && (await this.withRisk([payment]))[0];
  };
  listPayments: PaymentQueries['listPayments'] = async (q) => this.withRisk(await listPayments(this.db, q));
  listNotifications: PaymentQueries['listNotifications'] = (q) => listNotifications(this.db, q);
  balancesForUser = (userId: string) => balancesForUser(this.db, userId);

  /** Attaches each payment's assessment (a second query by primary key, not a join, so each table keeps its module). */
  private async withRisk(payments: Payment[]): Promise<PaymentView[]> {
    const assessments = await assessmentsFor(
      this.db,
      payments.map((p) => p.id),
    );
    return payments.map((p) => {
      const a = assessments.get(p.id);
      return { ...p, risk: a ? riskSummary(a) : null };
    });
  }

  ping = async () => {
    await this.db`SELECT 1`;
  };
}
