import type { Payment } from '../domain/payment';
import type { EventContract, OutgoingEvent } from './contract';

/** Builds and validates an event about `payment`; an invalid detail is a bug, so it throws. */
export function paymentEvent<Name extends string, Detail>(
  contract: EventContract<Name, Detail>,
  input: {
    eventId: string;
    occurredAt: Date;
    correlationId: string;
    payment: Pick<
      Payment,
      'id' | 'user_id' | 'amount' | 'currency' | 'status' | 'failure_code' | 'failure_reason'
    >;
    extra?: Record<string, unknown>;
  },
): OutgoingEvent {
  const { id, user_id, amount, currency, status, failure_code, failure_reason } = input.payment;
  const detail = contract.schema.parse({
    event_id: input.eventId,
    event_version: 1,
    occurred_at: input.occurredAt.toISOString(),
    correlation_id: input.correlationId,
    payment: { id, user_id, amount, currency, status, failure_code, failure_reason },
    ...input.extra,
  }) as Record<string, unknown>;
  return { eventId: input.eventId, source: contract.source, detailType: contract.detailType, detail };
}
