import type { ChargeResult } from '../../use-cases/ports';
import type { Database } from './database';

// The only module that reads or writes the `gateway_charges` table (the simulated gateway's own records).

interface ChargeRow {
  charge_id: string;
  outcome: 'succeeded' | 'declined';
  decline_code: string | null;
  decline_reason: string | null;
}

function toResult(row: ChargeRow): ChargeResult {
  return row.outcome === 'succeeded'
    ? { outcome: 'succeeded', chargeId: row.charge_id }
    : {
        outcome: 'declined',
        chargeId: row.charge_id,
        code: row.decline_code ?? 'declined',
        reason: row.decline_reason ?? '',
      };
}

export interface NewCharge {
  idempotencyKey: string;
  chargeId: string;
  amount: number;
  currency: string;
  /** Absent for a successful charge. */
  decline?: { code: string; reason: string };
}

/** Records the charge unless the key was used before; either way returns the first result for the key. */
export async function recordCharge(db: Database, c: NewCharge): Promise<ChargeResult> {
  const [inserted] = await db<ChargeRow[]>`
    INSERT INTO gateway_charges (idempotency_key, charge_id, amount, currency, outcome, decline_code, decline_reason)
    VALUES (${c.idempotencyKey}, ${c.chargeId}, ${c.amount}, ${c.currency}, ${c.decline ? 'declined' : 'succeeded'},
            ${c.decline?.code ?? null}, ${c.decline?.reason ?? null})
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING charge_id, outcome, decline_code, decline_reason`;
  if (inserted) return toResult(inserted);
  const existing = await findCharge(db, c.idempotencyKey);
  if (!existing) throw new Error(`gateway charge ${c.idempotencyKey} vanished`);
  return existing;
}

export async function findCharge(db: Database, idempotencyKey: string): Promise<ChargeResult | undefined> {
  const [row] = await db<ChargeRow[]>`
    SELECT charge_id, outcome, decline_code, decline_reason FROM gateway_charges
    WHERE idempotency_key = ${idempotencyKey}`;
  return row && toResult(row);
}
