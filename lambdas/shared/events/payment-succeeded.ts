import type { z } from 'zod';
import { defineEvent } from './contract';

/** The gateway charged the payment; it is SUCCEEDED and posted to the ledger. */
export const PaymentSucceeded = defineEvent('paymentWorker', 'PaymentSucceeded', {});
export type PaymentSucceededDetail = z.infer<typeof PaymentSucceeded.schema>;
