import * as z from 'zod';
import { GATEWAY_ERRORS } from '../../../lib/gateway-errors';
import { CURRENCIES } from '../../shared/domain/currencies';
import { NOTIFICATION_CHANNELS } from '../../shared/domain/notification';
import { PAYMENT_STATUSES } from '../../shared/domain/payment';
import { RISK_LEVELS, RISK_RULE_NAMES } from '../../shared/domain/risk';
import { ERROR_STATUS } from '../errors';

// What the API answers, as zod schemas for the OpenAPI document only: the handlers build these answers from
// the domain types, and the e2e contract test (test/e2e/openapi-contract.test.ts) checks real answers
// against the document, so a drift between the two fails there (docs/architecture.md, "API reference").

const uuid = z.string().uuid();
const timestamp = z.string().datetime({ offset: true });

export const riskSummarySchema = z
  .object({
    score: z.number().int(),
    level: z.enum(RISK_LEVELS),
    outcome: z.enum(['allow', 'block']),
    reasons: z.array(z.object({ rule: z.enum(RISK_RULE_NAMES), score: z.number().int() })),
    rules_version: z.string(),
    assessed_at: timestamp,
  })
  .describe('The risk worker’s assessment of a payment.');

export const paymentSchema = z.object({
  id: uuid,
  user_id: z.string(),
  amount: z.number().int().positive().describe('Minor units of the currency (e.g. cents).'),
  currency: z.enum(CURRENCIES),
  status: z.enum(PAYMENT_STATUSES),
  description: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
  failure_code: z.string().nullable(),
  failure_reason: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  risk: riskSummarySchema.nullable().describe('Null until the risk worker assessed the payment.'),
});

export const notificationSchema = z.object({
  id: uuid,
  payment_id: uuid.nullable(),
  event_id: uuid.nullable(),
  channel: z.enum(NOTIFICATION_CHANNELS),
  status: z.literal('sent'),
  created_at: timestamp,
  sent_at: timestamp,
});

export const processedEventSchema = z
  .object({
    id: uuid,
    event_type: z.string(),
    message: z.string(),
    payload: z.record(z.string(), z.unknown()),
    accepted_at: timestamp,
    processed_at: timestamp,
  })
  .describe('A notification event, once the notification worker processed it.');

export const eventWithNotificationsSchema = processedEventSchema.extend({
  notifications: z.array(notificationSchema),
});

export const acceptedEventSchema = z.object({ id: uuid, status: z.literal('accepted') });

export const balanceSchema = z.object({
  data: z.array(
    z.object({
      currency: z.enum(CURRENCIES),
      balance: z.number().int().describe('Net debit in minor units: what the user has been charged.'),
    }),
  ),
});

export const healthSchema = z.object({ status: z.literal('ok') });

/** A listing's page: `next_cursor` is null on the last page. */
export function pageOf(item: z.ZodType) {
  return z
    .object({ data: z.array(item), next_cursor: z.string().nullable() })
    .describe('Pass `next_cursor` as `cursor` (with the same filters) for the next page.');
}

/** Every code a client can see: the API function's table and the gateway's own answers. */
export const ERROR_CODES = [
  ...new Set([...Object.keys(ERROR_STATUS), ...Object.values(GATEWAY_ERRORS).map((e) => e.code)]),
] as [string, ...string[]];

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), issue: z.string() })).optional(),
    }),
  })
  .describe('The one error shape of every answer that is not a success.');
