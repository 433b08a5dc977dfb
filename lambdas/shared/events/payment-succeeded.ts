import type { z } from 'zod';
import { defineEvent, EVENT_SOURCES } from './envelope';

/** The gateway charged the payment; it is SUCCEEDED and posted to the ledger. */
export const PaymentSucceeded = defineEvent(EVENT_SOURCES.paymentWorker, 'PaymentSucceeded', {});
export type PaymentSucceededDetail = z.infer<typeof PaymentSucceeded.schema>;
