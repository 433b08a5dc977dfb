import { AsyncLocalStorage } from 'node:async_hooks';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import { type SideEffectGuard, SideEffectInProgressError } from '../../use-cases/ports';
import type { Database } from './database';

// The only module that reads or writes the `worker_idempotency` table.

type Status = ReturnType<IdempotencyRecord['getStatus']>;

/**
 * Powertools' in-progress error does not say when the holder's claim lapses; the refused put sees the
 * holder's record, so it leaves that time here for the guard call that is running (per async context).
 */
const refusedClaim = new AsyncLocalStorage<{ inProgressUntilMs?: number }>();

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

  /** Succeeds when the key is missing, expired, or in progress past its in-progress expiry; refuses otherwise. */
  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const nowMs = Date.now();
    const existing = await this.db.begin(async (tx) => {
      const [taken] = await tx`
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
      if (taken) return undefined;
      // The refused conflict left the row locked, so this read sees the record that won.
      const [row] = await tx<RecordRow[]>`
        SELECT * FROM worker_idempotency WHERE idempotency_key = ${record.idempotencyKey}`;
      return row ? toRecord(row) : undefined;
    });
    if (existing) {
      const seen = refusedClaim.getStore();
      if (seen) seen.inProgressUntilMs = existing.inProgressExpiryTimestamp;
      throw new IdempotencyItemAlreadyExistsError(
        `Failed to put record for already existing idempotency key: ${record.idempotencyKey}`,
        existing,
      );
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

  constructor(db: Database, options: IdempotencyGuardOptions) {
    this.config = new IdempotencyConfig({
      eventKeyJmesPath: 'key',
      expiresAfterSeconds: options.expiresAfterSeconds,
      throwOnNoIdempotencyKey: true,
    });
    const inProgressMs = options.defaultInProgressMs ?? 60_000;
    this.registerLambdaContext({ getRemainingTimeInMillis: () => inProgressMs });
    this.run = makeIdempotent(
      async (input: { key: string; effect: () => Promise<unknown> }) => input.effect(),
      {
        persistenceStore: new PostgresPersistenceLayer(db),
        config: this.config,
        keyPrefix: options.scope,
      },
    );
  }

  /** An attempt blocks others until the invocation's own deadline, after which it counts as abandoned. */
  registerLambdaContext(context: Pick<Context, 'getRemainingTimeInMillis'>): void {
    this.config.registerLambdaContext(context as Context);
  }

  async once<T extends Record<string, unknown>>(key: string, effect: () => Promise<T>): Promise<T> {
    const seen: { inProgressUntilMs?: number } = {};
    try {
      return (await refusedClaim.run(seen, () => this.run({ key, effect }))) as T;
    } catch (error) {
      if (!(error instanceof IdempotencyAlreadyInProgressError)) throw error;
      // The holder may have crashed: its claim lapses at its in-progress expiry (milliseconds).
      const lapsesAt = seen.inProgressUntilMs ?? Date.now();
      throw new SideEffectInProgressError(
        `${key} is in progress elsewhere`,
        Math.max(1, Math.ceil((lapsesAt - Date.now()) / 1000) + 1),
      );
    }
  }
}
