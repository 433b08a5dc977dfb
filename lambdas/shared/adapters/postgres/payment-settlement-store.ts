import type { PaymentSettlementStore } from '../../use-cases/ports';
import type { Database, Queryable } from './database';
import { postPayment } from './ledger';
import { enqueueEvent } from './outbox';
import { findPayment, transitionFromPending } from './payments';
import { findAssessment } from './risk-assessments';
import { inTransaction } from './transaction';

export class PostgresPaymentSettlementStore implements PaymentSettlementStore {
  constructor(private readonly db: Database) {}

  findPayment = (id: string) => findPayment(this.db, id);
  findAssessment = (paymentId: string) => findAssessment(this.db, paymentId);

  settle: PaymentSettlementStore['settle'] = async (paymentId, settlement, eventFor) =>
    inTransaction(this.db, async (sql) => {
      const tx: Queryable = sql;
      const settled = await transitionFromPending(tx, paymentId, settlement);
      if (!settled) return undefined; // another delivery won the transition and wrote the event
      const event = eventFor(settled);
      // Issued together: the driver pipelines them into one round trip.
      await Promise.all([
        settled.status === 'SUCCEEDED' ? postPayment(tx, settled) : undefined,
        enqueueEvent(tx, event),
      ]);
      return { payment: settled, eventId: event.eventId };
    }) as ReturnType<PaymentSettlementStore['settle']>;
}
