import type { z } from 'zod';
import { defineEvent } from './contract';

/** The gateway declined the payment; it is FAILED with a code and reason. */
export const PaymentFailed = defineEvent('paymentWorker', 'PaymentFailed', {});
export type PaymentFailedDetail = z.infer<typeof PaymentFailed.schema>;
