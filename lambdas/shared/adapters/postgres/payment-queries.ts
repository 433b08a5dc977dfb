import type { PaymentQueries } from '../../use-cases/ports';
import type { Database } from './database';
import { balancesForUser } from './ledger';
import { listNotifications } from './notifications';
import { findPayment, listPayments } from './payments';

export class PostgresPaymentQueries implements PaymentQueries {
  constructor(private readonly db: Database) {}

  findPayment = (id: string) => findPayment(this.db, id);
  listPayments: PaymentQueries['listPayments'] = (q) => listPayments(this.db, q);
  listNotifications: PaymentQueries['listNotifications'] = (q) => listNotifications(this.db, q);
  balancesForUser = (userId: string) => balancesForUser(this.db, userId);
  ping = async () => {
    await this.db`SELECT 1`;
  };
}
