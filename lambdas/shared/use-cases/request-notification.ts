import { canonicalUserId, derivedEventId, type RequestEventBody } from '../domain/notification-event';
import { notificationRequestedEvent } from '../events';
import { DependencyUnavailableError, ForbiddenError } from './errors';
import type { Clock, EventPublisher, IdGenerator } from './ports';

export interface RequestNotificationDeps {
  publisher: EventPublisher;
  clock: Clock;
  ids: IdGenerator;
}

export interface RequestNotificationInput {
  userId: string;
  /** Optional: with one, a retried request names the same event (and the user gets one notification). */
  idempotencyKey?: string;
  body: RequestEventBody;
  correlationId: string;
}

/**
 * Accepts a notification event by putting NotificationRequested on the bus; nothing is written here, the
 * bus is the durable store at acceptance (docs/architecture.md, "Notification events"). Returns the id
 * only once the bus accepted the entry; a refusal is DependencyUnavailableError, and the client retries.
 */
export async function requestNotification(
  deps: RequestNotificationDeps,
  input: RequestNotificationInput,
): Promise<{ id: string }> {
  const { body } = input;
  if (body.user_id !== undefined && canonicalUserId(body.user_id) !== canonicalUserId(input.userId)) {
    throw new ForbiddenError('user_id does not match the authenticated user');
  }
  const id =
    input.idempotencyKey === undefined ? deps.ids.uuid() : derivedEventId(input.userId, input.idempotencyKey);
  const event = notificationRequestedEvent({
    event_id: id,
    event_version: 1,
    occurred_at: deps.clock.now().toISOString(),
    correlation_id: input.correlationId,
    user_id: input.userId,
    event_type: body.event_type,
    message: body.message,
    payload: body.payload ?? {},
  });
  const outcome = await deps.publisher.publish([event]);
  if (!outcome.published.includes(id)) {
    throw new DependencyUnavailableError(
      'The event could not be accepted now; retry with the same Idempotency-Key',
      {
        cause: new Error(outcome.failed.map((f) => f.error).join('; ')),
      },
    );
  }
  return { id };
}
