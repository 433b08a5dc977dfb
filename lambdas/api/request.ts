import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { canonicalId } from '../shared/domain/ids';
import {
  eventTypeSchema,
  type RequestEventBody,
  requestEventBodySchema,
} from '../shared/domain/notification-event';
import { type CreatePaymentBody, createPaymentBodySchema, PAYMENT_STATUSES } from '../shared/domain/payment';
import { RISK_LEVELS } from '../shared/domain/risk';
import { decodeCursor } from './cursor';
import { RequestError, validationError } from './errors';
import { header } from './http';

export const MAX_BODY_BYTES = 16 * 1024;
export const PRINTABLE = /^[\x20-\x7e]{1,255}$/;

/** The authenticated user, as the authorizer put it in the request context. */
export function callerId(event: APIGatewayProxyEvent): string {
  const userId = event.requestContext?.authorizer?.userId;
  if (typeof userId !== 'string' || userId.length === 0)
    throw new RequestError('unauthorized', 'Authentication required');
  return canonicalId(userId);
}

export function idempotencyKey(event: APIGatewayProxyEvent): string {
  const key = header(event, 'Idempotency-Key');
  if (key === undefined || key === '') {
    throw new RequestError('idempotency_key_missing', 'The Idempotency-Key header is required');
  }
  if (!PRINTABLE.test(key)) {
    throw new RequestError('validation_error', 'The Idempotency-Key header is invalid', [
      { field: 'Idempotency-Key', issue: 'must be 1 to 255 printable ASCII characters' },
    ]);
  }
  return key;
}

/** JSON only, at most 16 KiB, no unknown fields. */
export function createPaymentBody(event: APIGatewayProxyEvent): CreatePaymentBody {
  const parsed = createPaymentBodySchema.safeParse(jsonBody(event));
  if (!parsed.success) throw validationError(parsed.error, 'The payment is invalid');
  return parsed.data;
}

/** `POST /events`: JSON only, at most 16 KiB, no unknown fields. */
export function requestEventBody(event: APIGatewayProxyEvent): RequestEventBody {
  const parsed = requestEventBodySchema.safeParse(jsonBody(event));
  if (!parsed.success) throw validationError(parsed.error, 'The event is invalid');
  return parsed.data;
}

/** `POST /events` takes an Idempotency-Key but does not require one. */
export function optionalIdempotencyKey(event: APIGatewayProxyEvent): string | undefined {
  return header(event, 'Idempotency-Key') === undefined ? undefined : idempotencyKey(event);
}

/** The body as JSON: application/json, at most MAX_BODY_BYTES. */
function jsonBody(event: APIGatewayProxyEvent): unknown {
  const contentType = header(event, 'Content-Type') ?? '';
  if (!/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(contentType.trim())) {
    throw new RequestError('unsupported_media_type', 'Content-Type must be application/json');
  }
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64')
    : Buffer.from(event.body ?? '', 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) {
    throw new RequestError('payload_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new RequestError('validation_error', 'The body is not valid JSON');
  }
}

const uuid = z.string().uuid();

export function isUuid(value: string | undefined): value is string {
  return uuid.safeParse(value).success;
}

/** An id from the path, in its canonical form (lambdas/shared/domain/ids.ts). */
export function pathId(event: APIGatewayProxyEvent, name: string): string {
  return canonicalId(event.pathParameters?.[name] ?? '');
}

/** The page fields every listing takes; its filters are the other fields of its schema. */
const PAGE = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(512).optional(),
};

/**
 * A listing's query: its filters, page size and keyset position. The cursor is bound to the filters
 * (./cursor.ts): give the same query to `encodeCursor` for the next page.
 */
function listingQuery<T extends { limit: number; cursor?: string }>(
  schema: z.ZodType<T>,
  event: APIGatewayProxyEvent,
) {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw validationError(parsed.error, 'The query is invalid');
  const { cursor, ...query } = parsed.data;
  return { ...query, after: decodeCursor(cursor, query) };
}

export const listQuerySchema = z
  .strictObject({
    status: z.enum(PAYMENT_STATUSES).optional(),
    from: z.string().datetime({ offset: true }).optional(),
    to: z.string().datetime({ offset: true }).optional(),
    risk_level: z.enum(RISK_LEVELS).optional(),
    ...PAGE,
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    path: ['from'],
    message: 'must not be later than to',
  });

/** `GET /payments`'s filters, page size and keyset position (from the opaque cursor). */
export function listPaymentsQuery(event: APIGatewayProxyEvent) {
  return listingQuery(listQuerySchema, event);
}

export const notificationsQuerySchema = z.strictObject({
  payment_id: uuid.transform(canonicalId).optional(),
  event_id: uuid.transform(canonicalId).optional(),
  ...PAGE,
});

/** `GET /notifications`'s filters (all optional), page size and keyset position. */
export function notificationsQuery(event: APIGatewayProxyEvent) {
  return listingQuery(notificationsQuerySchema, event);
}

export const eventsQuerySchema = z
  .strictObject({
    event_type: eventTypeSchema.optional(),
    from: z.string().datetime({ offset: true }).optional(),
    to: z.string().datetime({ offset: true }).optional(),
    ...PAGE,
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    path: ['from'],
    message: 'must not be later than to',
  });

/** `GET /events`'s filters, page size and keyset position, as for payments. */
export function listEventsQuery(event: APIGatewayProxyEvent) {
  return listingQuery(eventsQuerySchema, event);
}
