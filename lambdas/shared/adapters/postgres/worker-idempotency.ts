import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import { SideEffectInProgressError } from '../../use-cases/errors';
import type { SideEffectGuard } from '../../use-cases/ports';
import type { Database } from './database';

// The only module that reads or writes the `worker_idempotency` table.

type Status = ReturnType<IdempotencyRecord['getStatus']>;

interface RecordRow {
  idempotency_key: string;
  status: Status;
  expiry_timestamp: number;
  in_progress_expiry_timestamp: number | null;
  payload_hash: string | null;
  response_data: IdempotencyRecord['responseData'] | null;
}

function toRecord(row: RecordRow): IdempotencyRecord {
  return new IdempotencyRecord({
    idempotencyKey: row.idempotency_key,
    status: row.status,
    expiryTimestamp: row.expiry_timestamp,
    inProgressExpiryTimestamp: row.in_progress_expiry_timestamp ?? undefined,
    responseData: row.response_data ?? undefined,
    payloadHash: row.payload_hash ?? undefined,
  });
}

/**
 * Powertools idempotency records in PostgreSQL. `expiryTimestamp` is in seconds and
 * `inProgressExpiryTimestamp` in milliseconds (Powertools' own units).
 */
export class PostgresPersistenceLayer extends BasePersistenceLayer {
  constructor(private readonly db: Database) {
    super();
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const [row] = await this.db<RecordRow[]>`
      SELECT * FROM worker_idempotency WHERE idempotency_key = ${idempotencyKey}`;
    if (!row) throw new IdempotencyItemNotFoundError();
    return toRecord(row);
  }

  /**
   * Succeeds when the key is missing, expired, or in progress past its in-progress expiry; refuses otherwise.
   * No explicit transaction: the claim is one statement (one round trip instead of three), and the refused
   * case reads the winner afterwards. Should the winner delete its record in between (its side effect
   * failed), the key is free again and the claim is tried once more.
   */
  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const nowMs = Date.now();
      const [taken] = await this.db`
        INSERT INTO worker_idempotency AS w
          (idempotency_key, status, expiry_timestamp, in_progress_expiry_timestamp, payload_hash, response_data)
        VALUES (${record.idempotencyKey}, ${record.getStatus()}, ${record.expiryTimestamp ?? 0},
                ${record.inProgressExpiryTimestamp ?? null}, ${record.payloadHash ?? null}, NULL)
        ON CONFLICT (idempotency_key) DO UPDATE
          SET status = EXCLUDED.status,
              expiry_timestamp = EXCLUDED.expiry_timestamp,
              in_progress_expiry_timestamp = EXCLUDED.in_progress_expiry_timestamp,
              payload_hash = EXCLUDED.payload_hash,
              response_data = NULL,
              updated_at = now()
          WHERE w.expiry_timestamp < ${nowMs / 1000}::double precision
             OR (w.status = 'INPROGRESS' AND w.in_progress_expiry_timestamp IS NOT NULL
                 AND w.in_progress_expiry_timestamp < ${nowMs})
        RETURNING idempotency_key`;
      if (taken) return;
      const [row] = await this.db<RecordRow[]>`
        SELECT * FROM worker_idempotency WHERE idempotency_key = ${record.idempotencyKey}`;
      if (row || attempt === 3) {
        throw new IdempotencyItemAlreadyExistsError(
          `Failed to put record for already existing idempotency key: ${record.idempotencyKey}`,
          row ? toRecord(row) : undefined,
        );
      }
    }
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const data = record.responseData === undefined ? null : this.db.json(record.responseData as never);
    await this.db`
      UPDATE worker_idempotency
      SET status = ${record.getStatus()},
          expiry_timestamp = ${record.expiryTimestamp ?? 0},
          response_data = ${data},
          payload_hash = coalesce(${record.payloadHash ?? null}, payload_hash),
          updated_at = now()
      WHERE idempotency_key = ${record.idempotencyKey}`;
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    await this.db`DELETE FROM worker_idempotency WHERE idempotency_key = ${record.idempotencyKey}`;
  }
}

export interface IdempotencyGuardOptions {
  /** Namespaces the keys: one guard (and one persistence layer) per kind of side effect. */
  scope: string;
  expiresAfterSeconds: number;
  /** How long an unfinished attempt blocks others when no Lambda context is registered. */
  defaultInProgressMs?: number;
}

/**
 * `SideEffectGuard` on Powertools `makeIdempotent` over PostgreSQL. Each guard owns its persistence
 * layer: Powertools configures a layer once, and its key prefix is per layer.
 */
export class PowertoolsIdempotencyGuard implements SideEffectGuard {
  private readonly config: IdempotencyConfig;
  private readonly run: (input: { key: string; effect: () => Promise<unknown> }) => Promise<unknown>;
  private readonly persistence: PostgresPersistenceLayer;

  constructor(db: Database, options: IdempotencyGuardOptions) {
    this.config = new IdempotencyConfig({
      eventKeyJmesPath: 'key',
      expiresAfterSeconds: options.expiresAfterSeconds,
      throwOnNoIdempotencyKey: true,
    });
    const inProgressMs = options.defaultInProgressMs ?? 60_000;
    this.registerLambdaContext({ getRemainingTimeInMillis: () => inProgressMs });
    this.persistence = new PostgresPersistenceLayer(db);
    this.run = makeIdempotent(
      async (input: { key: string; effect: () => Promise<unknown> }) => input.effect(),
      {
        persistenceStore: this.persistence,
        config: this.config,
        keyPrefix: options.scope,
      },
    );
  }

  /**
   * The holder may have crashed: its claim lapses at its in-progress expiry (milliseconds). Powertools'
   * error does not carry it, so the rare refused call reads it back (no AsyncLocalStorage: its promise
   * hooks cost every promise in the process about 3 % of the runtime's CPU).
   */
  private async holderLapsesAt(key: string): Promise<number> {
    try {
      return (await this.persistence.getRecord({ key })).inProgressExpiryTimestamp ?? Date.now();
    } catch {
      return Date.now(); // finished or gone meanwhile: retry soon
    }
  }

  /** An attempt blocks others until the invocation's own deadline, after which it counts as abandoned. */
  registerLambdaContext(context: Pick<Context, 'getRemainingTimeInMillis'>): void {
    this.config.registerLambdaContext(context as Context);
  }

  async once<T extends Record<string, unknown>>(key: string, effect: () => Promise<T>): Promise<T> {
    try {
      return (await this.run({ key, effect })) as T;
    } catch (error) {
      if (!(error instanceof IdempotencyAlreadyInProgressError)) throw error;
      const lapsesAt = await this.holderLapsesAt(key);
      throw new SideEffectInProgressError(
        `${key} is in progress elsewhere`,
        Math.max(1, Math.ceil((lapsesAt - Date.now()) / 1000) + 1),
      );
    }
  }
}

/**
 * Retention: deletes up to `limit` records whose expiry (seconds, as Powertools keeps it) is before
 * `cutoff`; Powertools already treats them as absent. Returns how many.
 */
export async function purgeExpiredRecords(db: Database, cutoff: Date, limit: number): Promise<number> {
  const seconds = Math.floor(cutoff.getTime() / 1000);
  const rows = await db`
    DELETE FROM worker_idempotency WHERE idempotency_key IN (
      SELECT idempotency_key FROM worker_idempotency WHERE expiry_timestamp < ${seconds}
      ORDER BY expiry_timestamp LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
  return rows.count;
}

export async function countExpiredRecords(db: Database, cutoff: Date): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    SELECT count(*)::int AS n FROM worker_idempotency
    WHERE expiry_timestamp < ${Math.floor(cutoff.getTime() / 1000)}`;
  return row?.n ?? 0;
}
