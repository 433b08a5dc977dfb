import { canonicalHash } from '../domain/canonical-json';
import { type CreatePaymentBody, newPendingPayment, type Payment } from '../domain/payment';
import { PaymentCreated, paymentEvent } from '../events';
import { ForbiddenError, IdempotencyKeyReusedError } from './errors';
import type { Clock, IdGenerator, PaymentCreationStore, StoredResponse } from './ports';

export interface CreatePaymentDeps {
  store: PaymentCreationStore;
  clock: Clock;
  ids: IdGenerator;
}

export interface CreatePaymentInput {
  userId: string;
  idempotencyKey: string;
  body: CreatePaymentBody;
  correlationId: string;
  /** The answer the caller gets for a new payment; it is stored with the key and replayed as it is. */
  answer(payment: Payment): StoredResponse;
}

export type CreatePaymentResult =
  /** A new PENDING payment, and the answer stored for it. */
  | { outcome: 'created'; payment: Payment; answer: StoredResponse }
  /** The key was used before with the same request: the answer stored then. */
  | { outcome: 'replayed'; answer: StoredResponse };

/**
 * Accepts a payment exactly once per (user, idempotency key): the key's record, the PENDING payment
 * and its PaymentCreated outbox row commit together in one statement, and that is all the request does:
 * the always-on relay publishes the event (docs/architecture.md, "Outbox").
 */
export async function createPayment(
  deps: CreatePaymentDeps,
  input: CreatePaymentInput,
): Promise<CreatePaymentResult> {
  if (input.body.user_id !== undefined && input.body.user_id !== input.userId) {
    throw new ForbiddenError('user_id does not match the authenticated user');
  }
  const requestHash = canonicalHash(input.body);
  // Built before we know whether the key is new: a replay only wastes two UUIDs and a render.
  const payment = newPendingPayment({
    id: deps.ids.uuid(),
    userId: input.userId,
    body: input.body,
    now: deps.clock.now(),
  });
  const event = paymentEvent(PaymentCreated, {
    eventId: deps.ids.uuid(),
    occurredAt: deps.clock.now(),
    correlationId: input.correlationId,
    payment,
  });
  const answer = input.answer(payment);
  const stored = await deps.store.createOnce({
    key: { userId: input.userId, key: input.idempotencyKey, requestHash },
    payment,
    event,
    response: answer,
  });
  if (stored) {
    if (stored.requestHash !== requestHash) {
      throw new IdempotencyKeyReusedError('This Idempotency-Key was used with a different request body');
    }
    return { outcome: 'replayed', answer: { status: stored.status, body: stored.body } };
  }
  return { outcome: 'created', payment, answer };
}
