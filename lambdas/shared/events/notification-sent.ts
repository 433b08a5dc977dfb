// Namespace import (not the `z` export): esbuild then drops the parts of zod we do not use, e.g. its locales.
import * as z from 'zod';
import { defineEvent, paymentSnapshotSchema } from './contract';

const paymentNotificationSent = defineEvent('notificationWorker', 'NotificationSent', {
  notification: z.object({
    id: z.string().uuid(),
    channel: z.enum(['email', 'sms']),
    sent_at: z.string().datetime(),
  }),
});

/**
 * One notification (email or SMS) went out: about a terminal payment (`payment`), or for a requested
 * notification event (`requested_event`); exactly one of the two.
 */
export const NotificationSent = {
  ...paymentNotificationSent,
  schema: paymentNotificationSent.schema
    .extend({
      payment: paymentSnapshotSchema.optional(),
      requested_event: z.object({ id: z.string().uuid(), event_type: z.string().min(1) }).optional(),
    })
    .refine((d) => (d.payment === undefined) !== (d.requested_event === undefined), {
      message: 'names either a payment or a requested event',
    }),
} as const;
export type NotificationSentDetail = z.infer<typeof NotificationSent.schema>;
