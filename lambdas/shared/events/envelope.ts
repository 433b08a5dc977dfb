// Namespace import (not the `z` export): esbuild then drops the parts of zod we do not use, e.g. its locales.
import * as z from 'zod';
import { CURRENCIES } from '../domain/currencies';
import { PAYMENT_STATUSES } from '../domain/payment';

/** EventBridge sources: who emits what. */
export const EVENT_SOURCES = {
  api: 'payments.api',
  paymentWorker: 'payments.worker',
  notificationWorker: 'notifications.worker',
} as const;

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

export function defineEvent<Name extends string, Extra extends z.ZodRawShape>(
  source: string,
  detailType: Name,
  extra: Extra,
) {
  const schema = z.object({ ...baseDetail, ...extra });
  return { source, detailType, schema } as const satisfies EventContract<Name, z.infer<typeof schema>>;
}
