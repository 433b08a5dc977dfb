// Namespace import (not the `z` export): esbuild then drops the parts of zod we do not use, e.g. its locales.
import * as z from 'zod';
import { names } from '../../../lib/names';
import { eventMessageSchema, eventPayloadSchema, eventTypeSchema } from '../domain/notification-event';
import type { EventContract, OutgoingEvent } from './contract';

// Not about a payment, so not built by defineEvent: the same envelope fields, a user's event instead.
const schema = z.object({
  event_id: z.string().uuid(),
  event_version: z.literal(1),
  occurred_at: z.string().datetime(),
  correlation_id: z.string().min(1),
  user_id: z.string().min(1).max(128),
  event_type: eventTypeSchema,
  message: eventMessageSchema,
  payload: eventPayloadSchema,
});

export type NotificationRequestedDetail = z.infer<typeof schema>;

/**
 * A service asked the platform to notify a user (`POST /events`). Published by the API straight to the
 * bus (no outbox: the bus is its durable store); consumed by the notification worker.
 */
export const NotificationRequested = {
  source: names.eventSource('api'),
  detailType: 'NotificationRequested',
  schema,
} as const satisfies EventContract<'NotificationRequested', NotificationRequestedDetail>;

/** Builds and validates the event; an invalid detail is a bug (the API validated the body), so it throws. */
export function notificationRequestedEvent(detail: NotificationRequestedDetail): OutgoingEvent {
  const parsed = schema.parse(detail) as Record<string, unknown>;
  return {
    eventId: detail.event_id,
    source: NotificationRequested.source,
    detailType: NotificationRequested.detailType,
    detail: parsed,
  };
}
