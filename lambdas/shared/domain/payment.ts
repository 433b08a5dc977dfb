// Namespace import (not the `z` export): esbuild then drops the parts of zod we do not use, e.g. its locales.
import * as z from 'zod';
import { CURRENCIES } from './currencies';
import { canonicalId } from './ids';

export const PAYMENT_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const MAX_AMOUNT = 99_999_999;
export const MAX_METADATA_PAIRS = 20;

/** PostgreSQL text cannot hold NUL, so it is refused up front rather than failing the insert. */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');

/** The body of `POST /payments`: unknown fields are rejected, `user_id` is only checked against the token. */
export const createPaymentBodySchema = z.strictObject({
  amount: z.number().int().positive().max(MAX_AMOUNT),
  currency: z.enum(CURRENCIES),
  user_id: text(128).transform(canonicalId).optional(),
  description: text(500).optional(),
  metadata: z
    .record(text(40).pipe(z.string().min(1)), text(500))
    .refine((m) => Object.keys(m).length <= MAX_METADATA_PAIRS, {
      message: `at most ${MAX_METADATA_PAIRS} pairs`,
    })
    .optional(),
});

export type CreatePaymentBody = z.infer<typeof createPaymentBodySchema>;

/** A payment as stored and as it goes over the wire (snake_case, RFC 3339 UTC timestamps). */
export interface Payment {
  id: string;
  user_id: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  description: string | null;
  metadata: Record<string, string>;
  failure_code: string | null;
  failure_reason: string | null;
  created_at: string;
  updated_at: string;
}

export function newPendingPayment(input: {
  id: string;
  userId: string;
  body: CreatePaymentBody;
  now: Date;
}): Payment {
  const at = input.now.toISOString();
  return {
    id: input.id,
    user_id: input.userId,
    amount: input.body.amount,
    currency: input.body.currency,
    status: 'PENDING',
    description: input.body.description ?? null,
    metadata: input.body.metadata ?? {},
    failure_code: null,
    failure_reason: null,
    created_at: at,
    updated_at: at,
  };
}

/** How a PENDING payment ends: the terminal state it moves to, once (docs/architecture.md, "State machine"). */
export interface Settlement {
  status: Exclude<PaymentStatus, 'PENDING'>;
  failureCode: string | null;
  failureReason: string | null;
  at: Date;
}
