import type { z } from 'zod';
import { defineEvent, EVENT_SOURCES } from './envelope';

/** A payment was accepted (PENDING). Consumed by the payment worker. */
export const PaymentCreated = defineEvent(EVENT_SOURCES.api, 'PaymentCreated', {});
export type PaymentCreatedDetail = z.infer<typeof PaymentCreated.schema>;
