import { AppError } from '../../domain/errors';
import type { PaymentCreationStore, PaymentCreationTx } from '../../use-cases/ports';
import type { Database, Queryable } from './database';
import { claimIdempotencyKey, completeIdempotencyKey } from './idempotency-keys';
import { enqueueEvent } from './outbox';
import { insertPayment } from './payments';

const LOCK_NOT_AVAILABLE = '55P03';

/** `POST /payments` in one PostgreSQL transaction. */
export class PostgresPaymentCreationStore implements PaymentCreationStore {
  constructor(
    private readonly db: Database,
    /** How long a request waits for a concurrent one holding the same key before answering 409. */
    private readonly keyWaitMs = 3000,
  ) {}

  async inTransaction<T>(work: (tx: PaymentCreationTx) => Promise<T>): Promise<T> {
    try {
      return (await this.db.begin(async (sql) => {
        // Sent now, not awaited first: the claim that follows shares its round trip (the driver pipelines
        // queries of one transaction in the order they are issued), and still runs under the timeout.
        const lockTimeout = sql`SELECT set_config('lock_timeout', ${`${this.keyWaitMs}ms`}, true)`.execute();
        const tx: Queryable = sql;
        const [, result] = await Promise.all([
          lockTimeout,
          work({
            claimIdempotencyKey: (claim) => claimIdempotencyKey(tx, claim),
            completeIdempotencyKey: (record) => completeIdempotencyKey(tx, record),
            insertPayment: (payment) => insertPayment(tx, payment),
            enqueueEvent: (event) => enqueueEvent(tx, event),
          }),
        ]);
        return result;
      })) as T;
    } catch (error) {
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) {
        throw new AppError(
          'idempotency_key_in_use',
          'A request with this Idempotency-Key is still in progress',
        );
      }
      throw error;
    }
  }
}
