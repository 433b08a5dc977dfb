import { createHash } from 'node:crypto';
// Namespace import (not the `z` export): esbuild then drops the parts of zod we do not use, e.g. its locales.
import * as z from 'zod';
import { NOTIFICATION_CHANNELS, type NotificationChannel } from './notification';

// A notification event: another service asks the platform to tell a user something
// (docs/architecture.md, "Notification events").

export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_.]{0,63}$/;
export const MAX_MESSAGE_CHARS = 1000;
export const MAX_PAYLOAD_BYTES = 8 * 1024;

/**
 * PostgreSQL text and jsonb hold neither NUL nor a lone UTF-16 surrogate: such strings are refused at the
 * edge, so an accepted event can always be stored (otherwise the worker would retry it until the DLQ).
 */
const LONE_SURROGATE = /\p{Cs}/u;
const storable = (s: string) => !s.includes('\u0000') && !LONE_SURROGATE.test(s);

function storableJson(value: unknown): boolean {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.every(storableJson);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([k, v]) => storable(k) && storableJson(v));
  }
  return true;
}

export const eventTypeSchema = z.string().regex(EVENT_TYPE_PATTERN, 'must match ^[a-z][a-z0-9_.]{0,63}$');

/** 1..1000 characters (code points, not UTF-16 units). */
export const eventMessageSchema = z
  .string()
  .refine((s) => s.length > 0 && [...s].length <= MAX_MESSAGE_CHARS, {
    message: `must be 1 to ${MAX_MESSAGE_CHARS} characters`,
  })
  .refine(storable, 'must not contain NUL characters or unpaired surrogates');

/** A JSON object of at most 8 KiB (UTF-8 of its JSON text). */
export const eventPayloadSchema = z
  .record(z.string(), z.unknown())
  .refine((p) => Buffer.byteLength(JSON.stringify(p), 'utf8') <= MAX_PAYLOAD_BYTES, {
    message: `must be at most ${MAX_PAYLOAD_BYTES} bytes of JSON`,
  })
  .refine(storableJson, 'must not contain NUL characters or unpaired surrogates');

/** The body of `POST /events`: unknown fields are rejected, `user_id` is only checked against the token. */
export const requestEventBodySchema = z.strictObject({
  user_id: z.string().max(128).optional(),
  event_type: eventTypeSchema,
  message: eventMessageSchema,
  payload: eventPayloadSchema.optional(),
});

export type RequestEventBody = z.infer<typeof requestEventBodySchema>;

/** A user id compared as the platform compares identities: Unicode NFC, lower case. */
export function canonicalUserId(userId: string): string {
  return userId.normalize('NFC').toLowerCase();
}

/**
 * The event id for (user, idempotency key): a SHA-256-derived UUID (RFC 9562 version 8), so a retried
 * request names the same event and the worker's unique id makes it one notification.
 */
export function derivedEventId(userId: string, idempotencyKey: string): string {
  const hash = createHash('sha256')
    .update(`notification-event\u0000${canonicalUserId(userId)}\u0000${idempotencyKey}`)
    .digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80; // version 8: custom
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{1,63}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/** Where a requested notification goes: the addresses its payload names. */
export interface EventDestinations {
  channels: NotificationChannel[];
  /** Present when the payload names it; otherwise the provider uses the user's own. */
  address: Partial<Record<NotificationChannel, string>>;
}

/**
 * Email when the payload names an email address (`payload.email`), SMS when it names an E.164 phone
 * number (`payload.phone`); neither: the user's default channels, as for payments.
 */
export function eventDestinations(payload: Record<string, unknown> | undefined): EventDestinations {
  const address: Partial<Record<NotificationChannel, string>> = {};
  if (typeof payload?.email === 'string' && EMAIL.test(payload.email)) address.email = payload.email;
  if (typeof payload?.phone === 'string' && E164.test(payload.phone)) address.sms = payload.phone;
  const named = NOTIFICATION_CHANNELS.filter((c) => address[c] !== undefined);
  return { channels: named.length > 0 ? named : [...NOTIFICATION_CHANNELS], address };
}

/** A processed notification event as it goes over the wire. */
export interface ProcessedEvent {
  id: string;
  event_type: string;
  message: string;
  payload: Record<string, unknown>;
  accepted_at: string;
  processed_at: string;
}
