// Namespace import (not the `z` export): esbuild then drops the parts of zod we do not use, e.g. its locales.
import * as z from 'zod';
import { names } from '../../../lib/names';
import { CURRENCIES } from '../domain/currencies';
import { PAYMENT_STATUSES } from '../domain/payment';

/** The payment as carried in every event's detail. */
export const paymentSnapshotSchema = z.object({
  id: z.string().uuid(),
  user_id: z.string().min(1),
  amount: z.number().int().positive(),
  currency: z.enum(CURRENCIES),
  status: z.enum(PAYMENT_STATUSES),
  failure_code: z.string().nullable().optional(),
  failure_reason: z.string().nullable().optional(),
});

export type PaymentSnapshot = z.infer<typeof paymentSnapshotSchema>;

const baseDetail = {
  event_id: z.string().uuid(),
  event_version: z.literal(1),
  occurred_at: z.string().datetime(),
  correlation_id: z.string().min(1),
  payment: paymentSnapshotSchema,
};

/** One event contract: its source, detail-type and detail schema, defined once and imported everywhere. */
export interface EventContract<Name extends string, Detail> {
  readonly source: string;
  readonly detailType: Name;
  readonly schema: z.ZodType<Detail>;
}

/** An event ready for the outbox: the EventBridge entry minus the bus name. */
export interface OutgoingEvent {
  eventId: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
}

/** `producer`: the topology key of the function that emits the event; its source derives from it. */
export function defineEvent<Name extends string, Extra extends z.ZodRawShape>(
  producer: string,
  detailType: Name,
  extra: Extra,
) {
  const schema = z.object({ ...baseDetail, ...extra });
  return {
    source: names.eventSource(producer),
    detailType,
    schema,
  } as const satisfies EventContract<Name, z.infer<typeof schema>>;
}
