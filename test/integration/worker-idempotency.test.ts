import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
} from '@aws-lambda-powertools/idempotency';
import { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import {
  PostgresPersistenceLayer,
  PowertoolsIdempotencyGuard,
} from '../../lambdas/shared/adapters/postgres/worker-idempotency';
import { SideEffectInProgressError } from '../../lambdas/shared/use-cases/errors';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** Exposes the protected contract methods so the persistence layer itself is tested against PostgreSQL. */
class ExposedLayer extends PostgresPersistenceLayer {
  put = (r: IdempotencyRecord) => this._putRecord(r);
  get = (key: string) => this._getRecord(key);
  update = (r: IdempotencyRecord) => this._updateRecord(r);
  remove = (r: IdempotencyRecord) => this._deleteRecord(r);
}

const nowSeconds = () => Math.round(Date.now() / 1000);

function record(key: string, fields: Partial<ConstructorParameters<typeof IdempotencyRecord>[0]> = {}) {
  return new IdempotencyRecord({
    idempotencyKey: key,
    status: 'INPROGRESS',
    expiryTimestamp: nowSeconds() + 3600,
    inProgressExpiryTimestamp: Date.now() + 30_000,
    payloadHash: `hash-${key}`,
    ...fields,
  });
}

describe('PostgreSQL persistence layer for Powertools idempotency', () => {
  let t: TestDatabase;
  let layer: ExposedLayer;
  beforeAll(async () => {
    t = await createTestDatabase();
    layer = new ExposedLayer(t.db);
  });
  afterAll(() => t.drop());

  it('puts a record whose key is missing, and reads it back with its units intact', async () => {
    const r = record('missing');
    await layer.put(r);
    const stored = await layer.get('missing');
    expect(stored.getStatus()).toBe('INPROGRESS');
    expect(stored.expiryTimestamp).toBe(r.expiryTimestamp); // seconds
    expect(stored.inProgressExpiryTimestamp).toBe(r.inProgressExpiryTimestamp); // milliseconds
    expect(stored.payloadHash).toBe('hash-missing');
  });

  it('refuses a live record, carrying the existing record and its payload hash', async () => {
    await layer.put(record('live', { payloadHash: 'first' }));
    const error = await layer.put(record('live', { payloadHash: 'second' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyItemAlreadyExistsError);
    const existing = (error as IdempotencyItemAlreadyExistsError).existingRecord;
    expect(existing?.idempotencyKey).toBe('live');
    expect(existing?.payloadHash).toBe('first');
    expect(existing?.getStatus()).toBe('INPROGRESS');
  });

  it('refuses a COMPLETED record and returns its response', async () => {
    await layer.put(record('done'));
    await layer.update(record('done', { status: 'COMPLETED', responseData: { chargeId: 'ch_1' } }));
    const error = (await layer
      .put(record('done'))
      .catch((e: unknown) => e)) as IdempotencyItemAlreadyExistsError;
    expect(error).toBeInstanceOf(IdempotencyItemAlreadyExistsError);
    expect(error.existingRecord?.getStatus()).toBe('COMPLETED');
    expect(error.existingRecord?.getResponse()).toEqual({ chargeId: 'ch_1' });
  });

  it('puts over an expired record (expiry in seconds)', async () => {
    await layer.put(record('expired', { status: 'COMPLETED', expiryTimestamp: nowSeconds() - 10 }));
    await layer.put(record('expired', { payloadHash: 'new' }));
    expect((await layer.get('expired')).payloadHash).toBe('new');
  });

  it('puts over an in-progress record whose in-progress expiry (milliseconds) passed', async () => {
    await layer.put(record('abandoned', { inProgressExpiryTimestamp: Date.now() - 1 }));
    await layer.put(record('abandoned', { payloadHash: 'retry' }));
    expect((await layer.get('abandoned')).payloadHash).toBe('retry');
  });

  it('refuses an in-progress record with no in-progress expiry until the record expires', async () => {
    await layer.put(record('no-deadline', { inProgressExpiryTimestamp: undefined }));
    await expect(layer.put(record('no-deadline'))).rejects.toBeInstanceOf(IdempotencyItemAlreadyExistsError);
  });

  it('deletes, after which get reports not found and put succeeds', async () => {
    await layer.put(record('gone'));
    await layer.remove(record('gone'));
    await expect(layer.get('gone')).rejects.toBeInstanceOf(IdempotencyItemNotFoundError);
    await layer.put(record('gone'));
  });

  it('concurrent puts of one key: exactly one wins', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => layer.put(record('race'))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  describe('through makeIdempotent (PowertoolsIdempotencyGuard)', () => {
    it('runs the effect once and replays its result; a failed effect can be retried', async () => {
      const guard = new PowertoolsIdempotencyGuard(t.db, { scope: 'test', expiresAfterSeconds: 60 });
      let runs = 0;
      const effect = async () => ({ n: ++runs });
      expect(await guard.once('k1', effect)).toEqual({ n: 1 });
      expect(await guard.once('k1', effect)).toEqual({ n: 1 });
      await expect(guard.once('k2', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await guard.once('k2', effect)).toEqual({ n: 2 });
    });

    it('a concurrent attempt meets the one in progress, and is told when that claim lapses', async () => {
      const guard = new PowertoolsIdempotencyGuard(t.db, {
        scope: 'test-concurrent',
        expiresAfterSeconds: 60,
      });
      guard.registerLambdaContext({ getRemainingTimeInMillis: () => 15_000 });
      let release!: () => void;
      const slow = guard.once(
        'k',
        () => new Promise<{ ok: boolean }>((resolve) => (release = () => resolve({ ok: true }))),
      );
      await new Promise((r) => setTimeout(r, 50));
      const refused = await guard.once('k', async () => ({ ok: false })).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SideEffectInProgressError);
      // The holder registered a 15 s deadline: retrying any sooner cannot succeed.
      expect((refused as SideEffectInProgressError).retryAfterSeconds).toBeGreaterThanOrEqual(15);
      expect((refused as SideEffectInProgressError).retryAfterSeconds).toBeLessThanOrEqual(17);
      release();
      expect(await slow).toEqual({ ok: true });
    });
  });
});
