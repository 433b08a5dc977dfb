import type { z } from 'zod';
import { defineEvent } from './contract';

/** A payment was accepted (PENDING). Consumed by the payment worker. */
export const PaymentCreated = defineEvent('api', 'PaymentCreated', {});
export type PaymentCreatedDetail = z.infer<typeof PaymentCreated.schema>;
