import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import {
  eventTypeSchema,
  type RequestEventBody,
  requestEventBodySchema,
} from '../shared/domain/notification-event';
import { type CreatePaymentBody, createPaymentBodySchema, PAYMENT_STATUSES } from '../shared/domain/payment';
import { RISK_LEVELS } from '../shared/domain/risk';
import { RequestError, validationError } from './errors';
import { header } from './http';

export const MAX_BODY_BYTES = 16 * 1024;
const PRINTABLE = /^[\x20-\x7e]{1,255}$/;

/** The authenticated user, as the authorizer put it in the request context. */
export function callerId(event: APIGatewayProxyEvent): string {
  const userId = event.requestContext?.authorizer?.userId;
  if (typeof userId !== 'string' || userId.length === 0)
    throw new RequestError('unauthorized', 'Authentication required');
  return userId;
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

const listQuerySchema = z.strictObject({
  status: z.enum(PAYMENT_STATUSES).optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(512).optional(),
  risk_level: z.enum(RISK_LEVELS).optional(),
});

/** `GET /payments`'s filters, page size and keyset position (from the opaque cursor). */
export function listPaymentsQuery(event: APIGatewayProxyEvent) {
  const parsed = listQuerySchema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw validationError(parsed.error, 'The query is invalid');
  const { cursor, risk_level: riskLevel, ...query } = parsed.data;
  return { ...query, riskLevel, after: cursor === undefined ? undefined : decodeCursor(cursor) };
}

// The cursor is opaque to clients: base64url of the last row's keyset position.
export function encodeCursor(position: { createdAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && isUuid(id as string)) {
      return { createdAt, id: id as string };
    }
  } catch {
    // fall through to the validation error
  }
  throw new RequestError('validation_error', 'Invalid cursor', [
    { field: 'cursor', issue: 'not a cursor from this API' },
  ]);
}

const notificationsQuerySchema = z.strictObject({
  payment_id: z.string().uuid().optional(),
  event_id: z.string().uuid().optional(),
});

export function notificationsQuery(event: APIGatewayProxyEvent) {
  const parsed = notificationsQuerySchema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw validationError(parsed.error, 'The query is invalid');
  return parsed.data;
}

const eventsQuerySchema = z.strictObject({
  event_type: eventTypeSchema.optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(512).optional(),
});

/** `GET /events`'s filters, page size and keyset position, as for payments. */
export function listEventsQuery(event: APIGatewayProxyEvent) {
  const parsed = eventsQuerySchema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw validationError(parsed.error, 'The query is invalid');
  const { cursor, event_type, ...query } = parsed.data;
  return { ...query, eventType: event_type, after: cursor === undefined ? undefined : decodeCursor(cursor) };
}
