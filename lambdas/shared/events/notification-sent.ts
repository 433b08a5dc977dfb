// Namespace import (not the `z` export): esbuild then drops the parts of zod we do not use, e.g. its locales.
import * as z from 'zod';
import { defineEvent } from './contract';

/** One notification (email or SMS) about a terminal payment went out. */
export const NotificationSent = defineEvent('notificationWorker', 'NotificationSent', {
  notification: z.object({
    id: z.string().uuid(),
    channel: z.enum(['email', 'sms']),
    sent_at: z.string().datetime(),
  }),
});
export type NotificationSentDetail = z.infer<typeof NotificationSent.schema>;
