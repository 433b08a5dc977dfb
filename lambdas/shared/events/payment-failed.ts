import type { z } from 'zod';
import { defineEvent, EVENT_SOURCES } from './envelope';

/** The gateway declined the payment; it is FAILED with a code and reason. */
export const PaymentFailed = defineEvent(EVENT_SOURCES.paymentWorker, 'PaymentFailed', {});
export type PaymentFailedDetail = z.infer<typeof PaymentFailed.schema>;
