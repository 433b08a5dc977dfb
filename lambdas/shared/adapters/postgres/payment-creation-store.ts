import { IdempotencyKeyInUseError } from '../../use-cases/errors';
import type { PaymentCreation, PaymentCreationStore } from '../../use-cases/ports';
import type { Database } from './database';
import { findKeyRecord, insertKeyRecordStatement } from './idempotency-keys';
import { enqueueEventStatement } from './outbox';
import { insertPaymentStatement } from './payments';

const LOCK_NOT_AVAILABLE = '55P03';

/**
 * `POST /payments` as ONE statement (its own transaction): the key's record, the PENDING payment and
 * its outbox row, due at once: the always-on relay publishes it, nothing else runs on the request path
 * (docs/architecture.md, "Outbox"). One round trip instead of four (BEGIN, claim, inserts, COMMIT); behind RDS Proxy, where
 * every parameterised statement costs two (no named prepared statements), 2 instead of 12.
 */
export class PostgresPaymentCreationStore implements PaymentCreationStore {
  constructor(
    private readonly db: Database,
    /** How long a request waits for a concurrent one holding the same key before answering 409. */
    private readonly keyWaitMs = 3000,
  ) {}

  async createOnce(c: PaymentCreation) {
    const sql = this.db;
    try {
      // The payment and its event are written only if the key's record was (a row of `key_record`).
      // Data-modifying CTEs always run to completion, and the statement is atomic.
      const [result] = await sql<{ written: number }[]>`
        WITH lock_wait AS MATERIALIZED (SELECT set_config('lock_timeout', ${`${this.keyWaitMs}ms`}, true)),
             key_record AS (${insertKeyRecordStatement(sql, { ...c.key, ...c.response, paymentId: c.payment.id }, 'lock_wait')}),
             payment AS (${insertPaymentStatement(sql, c.payment, 'key_record')}),
             event AS (${enqueueEventStatement(sql, c.event, 'key_record', { relayAtOnce: true })})
        SELECT count(*)::int AS written FROM key_record`;
      if (result?.written === 1) return undefined;
      // The key was used before: the committed record (this statement's snapshot predates it).
      const stored = await findKeyRecord(sql, c.key.userId, c.key.key);
      if (!stored) throw new Error('idempotency record vanished after a conflicting insert');
      return stored;
    } catch (error) {
      const e = error as { code?: string };
      if (e.code === LOCK_NOT_AVAILABLE) {
        throw new IdempotencyKeyInUseError('A request with this Idempotency-Key is still in progress');
      }
      throw error;
    }
  }
}
