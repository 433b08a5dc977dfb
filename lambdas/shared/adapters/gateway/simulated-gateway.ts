import { randomUUID } from 'node:crypto';
import { GatewayTimeoutError, GatewayUnavailableError } from '../../use-cases/errors';
import type { ChargeRequest, ChargeResult, PaymentGateway } from '../../use-cases/ports';
import type { Database } from '../postgres/database';
import { findCharge, recordCharge } from '../postgres/gateway-charges';

export interface SimulatedGatewayOptions {
  /** Share of calls that fail before anything happens (0..1). */
  transientFailureRate: number;
  /** Share of calls that time out; half of those time out after the charge was recorded (0..1). */
  timeoutRate: number;
  /** Uniform [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

/** An amount whose last two digits are 13 is declined (docs/architecture.md, "The simulated gateway"). */
export function simulatedDecline(amount: number): { code: string; reason: string } | undefined {
  return amount % 100 === 13 ? { code: 'card_declined', reason: 'The card was declined.' } : undefined;
}

/**
 * The default provider: deterministic outcomes by amount, plus configurable transient failures and
 * timeouts. Like a real processor it keeps its own durable record per idempotency key.
 */
export class SimulatedGateway implements PaymentGateway {
  private readonly random: () => number;

  constructor(
    private readonly db: Database,
    private readonly options: SimulatedGatewayOptions,
  ) {
    this.random = options.random ?? Math.random;
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const roll = this.random();
    const { transientFailureRate: failRate, timeoutRate } = this.options;
    if (roll < failRate) throw new GatewayUnavailableError('simulated gateway: temporarily unavailable');
    // Timeouts split evenly: lost on the way in (no charge) or on the way back (charged, answer lost).
    const timeoutBefore = roll < failRate + timeoutRate / 2;
    const timeoutAfter = !timeoutBefore && roll < failRate + timeoutRate;
    if (timeoutBefore) throw new GatewayTimeoutError('simulated gateway: timed out before charging');
    const result = await recordCharge(this.db, {
      idempotencyKey: request.idempotencyKey,
      chargeId: randomUUID(),
      amount: request.amount,
      currency: request.currency,
      decline: simulatedDecline(request.amount),
    });
    if (timeoutAfter) throw new GatewayTimeoutError('simulated gateway: timed out after charging');
    return result;
  }

  getCharge(idempotencyKey: string): Promise<ChargeResult | undefined> {
    return findCharge(this.db, idempotencyKey);
  }
}
