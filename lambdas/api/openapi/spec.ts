import * as z from 'zod';
import { GATEWAY_ERRORS } from '../../../lib/gateway-errors';
import { type RouteSpec, topology } from '../../../lib/topology';
import { requestEventBodySchema } from '../../shared/domain/notification-event';
import { createPaymentBodySchema, MAX_AMOUNT } from '../../shared/domain/payment';
import { DOCS_ASSETS } from '../docs';
import { ERROR_STATUS, type ErrorCode } from '../errors';
import {
  eventsQuerySchema,
  listQuerySchema,
  MAX_BODY_BYTES,
  notificationsQuerySchema,
  PRINTABLE,
} from '../request';
import {
  acceptedEventSchema,
  balanceSchema,
  errorSchema,
  eventWithNotificationsSchema,
  healthSchema,
  notificationSchema,
  pageOf,
  paymentSchema,
  processedEventSchema,
  riskSummarySchema,
} from './responses';

// The OpenAPI 3.1 document, generated from the zod schemas the handlers validate with (request bodies and
// queries) and the response schemas of ./responses.ts, for every route of lib/topology.ts
// (docs/architecture.md, "API reference"). `npm run openapi` writes it to docs/openapi.json.

type JsonSchema = Record<string, unknown>;
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** Request schemas as clients write them (input), answers as the API writes them (output). */
const requests = z.registry<{ id: string }>();
requests.add(createPaymentBodySchema, { id: 'CreatePayment' });
requests.add(requestEventBodySchema, { id: 'RequestEvent' });

const answers = z.registry<{ id: string }>();
answers.add(riskSummarySchema, { id: 'RiskSummary' });
answers.add(paymentSchema, { id: 'Payment' });
answers.add(pageOf(paymentSchema), { id: 'PaymentPage' });
answers.add(notificationSchema, { id: 'Notification' });
answers.add(pageOf(notificationSchema), { id: 'NotificationPage' });
answers.add(processedEventSchema, { id: 'Event' });
answers.add(eventWithNotificationsSchema, { id: 'EventWithNotifications' });
answers.add(pageOf(processedEventSchema), { id: 'EventPage' });
answers.add(acceptedEventSchema, { id: 'AcceptedEvent' });
answers.add(balanceSchema, { id: 'Balances' });
answers.add(healthSchema, { id: 'Health' });
answers.add(errorSchema, { id: 'Error' });

function schemasOf(registry: typeof requests, io: 'input' | 'output'): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  });
  // Component schemas live inside the document: their own `$schema` and `$id` are noise there.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema as JsonSchema]),
  );
}

/** A listing's query schema as OpenAPI query parameters. */
function queryParameters(schema: z.ZodType): JsonSchema[] {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as {
    properties: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema,
  }));
}

const pathParameter = (name: string, description: string, uuid: boolean) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: uuid ? { type: 'string', format: 'uuid' } : { type: 'string', maxLength: 128 },
});

const idempotencyKey = (required: boolean) => ({
  name: 'Idempotency-Key',
  in: 'header',
  required,
  description: required
    ? 'Makes the request safe to retry: the same key with the same body answers the first answer again.'
    : 'Optional: a retry with the same key names the same event, and it is notified once.',
  schema: { type: 'string', pattern: PRINTABLE.source },
  example: '3f1c0a4e-1b7c-4d55-9f0e-6a7b2d9c8e11',
});

const MESSAGES: Partial<Record<string, string>> = {
  validation_error: 'The payment is invalid',
  idempotency_key_missing: 'The Idempotency-Key header is required',
  unauthorized: GATEWAY_ERRORS.UNAUTHORIZED.message,
  forbidden: 'You can only read your own balance',
  not_found: 'Payment not found',
  idempotency_key_in_use: 'A request with this Idempotency-Key is still in progress',
  payload_too_large: `The body must be at most ${MAX_BODY_BYTES} bytes`,
  unsupported_media_type: 'Content-Type must be application/json',
  idempotency_key_reused: 'This Idempotency-Key was used with a different request',
  throttled: GATEWAY_ERRORS.THROTTLED.message,
  internal_error: 'Something went wrong on our side',
  service_unavailable: 'The database is unavailable',
};

type Code = ErrorCode | 'throttled';
const STATUS_OF: Record<Code, number> = { ...ERROR_STATUS, throttled: GATEWAY_ERRORS.THROTTLED.status };

/** One response per status, its codes named in the description and as examples. */
function errorResponses(codes: readonly Code[]): Record<string, unknown> {
  const byStatus = new Map<number, Code[]>();
  for (const code of codes) byStatus.set(STATUS_OF[code], [...(byStatus.get(STATUS_OF[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      {
        description: list.map((c) => `\`${c}\``).join(', '),
        ...(status === 503 || status === 429
          ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } } }
          : {}),
        content: {
          'application/json': {
            schema: ref('Error'),
            examples: Object.fromEntries(
              list.map((code) => [
                code,
                {
                  value: {
                    error: {
                      code,
                      message: MESSAGES[code] ?? code,
                      ...(code === 'validation_error'
                        ? {
                            details: [
                              { field: 'amount', issue: 'Too big: expected number to be <=99999999' },
                            ],
                          }
                        : {}),
                    },
                  },
                },
              ]),
            ),
          },
        },
      },
    ]),
  );
}

const json = (schema: JsonSchema, example?: unknown) => ({
  'application/json': { schema, ...(example === undefined ? {} : { example }) },
});

const PAYMENT_EXAMPLE = {
  id: '0b9f3a52-6d1e-4c1a-9a57-2f3c9b8e7d10',
  user_id: 'user-123',
  amount: 1999,
  currency: 'EUR',
  status: 'PENDING',
  description: 'Order #1001',
  metadata: { order_id: '1001' },
  failure_code: null,
  failure_reason: null,
  created_at: '2026-11-30T12:00:00.000Z',
  updated_at: '2026-11-30T12:00:00.000Z',
  risk: null,
};

interface Operation {
  summary: string;
  description?: string;
  parameters?: JsonSchema[];
  requestBody?: JsonSchema;
  responses: Record<string, unknown>;
  errors: Code[];
}

/** Answered by every route: the gateway's throttle, our own failures. */
const ALWAYS: Code[] = ['throttled', 'internal_error', 'service_unavailable'];
const LISTING: Code[] = ['validation_error', 'unauthorized'];

/** Keyed like lambdas/api/routes.ts: `METHOD path`, one per route of lib/topology.ts. */
const OPERATIONS: Record<string, Operation> = {
  'GET /health': {
    summary: 'Liveness and database reachability',
    responses: { '200': { description: 'The API and its database answer.', content: json(ref('Health')) } },
    errors: [],
  },
  'POST /payments': {
    summary: 'Create a payment',
    description:
      'Accepted as PENDING, then screened by the risk worker and charged by the payment worker. `user_id`, when given, must be the caller.',
    parameters: [idempotencyKey(true)],
    requestBody: {
      required: true,
      content: json(ref('CreatePayment'), {
        amount: 1999,
        currency: 'EUR',
        description: 'Order #1001',
        metadata: { order_id: '1001' },
      }),
    },
    responses: {
      '201': {
        description: `Created (PENDING). A replay of the same key and body answers the first answer with \`Idempotent-Replayed: true\`. Amounts up to ${MAX_AMOUNT}.`,
        headers: {
          'Idempotent-Replayed': {
            description: 'Present (`true`) when this answer is the stored answer of an earlier request.',
            schema: { type: 'string', enum: ['true'] },
          },
        },
        content: json(ref('Payment'), PAYMENT_EXAMPLE),
      },
    },
    errors: [
      'validation_error',
      'idempotency_key_missing',
      'unauthorized',
      'forbidden',
      'idempotency_key_in_use',
      'payload_too_large',
      'unsupported_media_type',
      'idempotency_key_reused',
    ],
  },
  'GET /payments': {
    summary: "List the caller's payments, newest first",
    parameters: queryParameters(listQuerySchema),
    responses: { '200': { description: 'A page of payments.', content: json(ref('PaymentPage')) } },
    errors: LISTING,
  },
  'GET /payments/{id}': {
    summary: 'One of the caller’s payments, with its risk assessment',
    parameters: [pathParameter('id', 'The payment id.', true)],
    responses: { '200': { description: 'The payment.', content: json(ref('Payment'), PAYMENT_EXAMPLE) } },
    errors: ['unauthorized', 'not_found'],
  },
  'GET /notifications': {
    summary: "List the caller's notifications, newest first",
    parameters: queryParameters(notificationsQuerySchema),
    responses: { '200': { description: 'A page of notifications.', content: json(ref('NotificationPage')) } },
    errors: LISTING,
  },
  'GET /accounts/{user_id}/balance': {
    summary: "The caller's ledger balance per currency",
    parameters: [pathParameter('user_id', 'Must be the caller.', false)],
    responses: { '200': { description: 'Balances.', content: json(ref('Balances')) } },
    errors: ['unauthorized', 'forbidden'],
  },
  'POST /events': {
    summary: 'Request a notification event',
    description:
      'Accepted onto the bus; readable at `GET /events/{id}` once the notification worker processed it.',
    parameters: [idempotencyKey(false)],
    requestBody: {
      required: true,
      content: json(ref('RequestEvent'), {
        event_type: 'order.shipped',
        message: 'Your order has shipped',
        payload: { email: 'user@example.com' },
      }),
    },
    responses: { '202': { description: 'Accepted.', content: json(ref('AcceptedEvent')) } },
    errors: ['validation_error', 'unauthorized', 'forbidden', 'payload_too_large', 'unsupported_media_type'],
  },
  'GET /events': {
    summary: "List the caller's processed notification events, newest first",
    parameters: queryParameters(eventsQuerySchema),
    responses: { '200': { description: 'A page of events.', content: json(ref('EventPage')) } },
    errors: LISTING,
  },
  'GET /events/{id}': {
    summary: 'One processed notification event with its notifications',
    parameters: [pathParameter('id', 'The event id (from `POST /events`).', true)],
    responses: {
      '200': { description: 'The event.', content: json(ref('EventWithNotifications')) },
    },
    errors: ['unauthorized', 'not_found'],
  },
  'GET /openapi.json': {
    summary: 'This document',
    responses: { '200': { description: 'The OpenAPI 3.1 document.', content: json({ type: 'object' }) } },
    errors: [],
  },
  'GET /docs': {
    summary: 'The interactive API reference (Swagger UI, served with all its assets)',
    responses: {
      '200': { description: 'An HTML page.', content: { 'text/html': { schema: { type: 'string' } } } },
    },
    errors: [],
  },
  'GET /docs/{asset}': {
    summary: 'A file of the API reference page',
    parameters: [
      {
        name: 'asset',
        in: 'path',
        required: true,
        schema: { type: 'string', enum: [...Object.keys(DOCS_ASSETS), 'init.js'] },
      },
    ],
    responses: {
      '200': {
        description: 'The file.',
        content: {
          'text/javascript': { schema: { type: 'string' } },
          'text/css': { schema: { type: 'string' } },
        },
      },
    },
    errors: ['not_found'],
  },
};

/** The operation documenting `route`; a route without one fails generation (and the unit test). */
function operationFor(route: RouteSpec) {
  const key = `${route.method} ${route.path}`;
  const op = OPERATIONS[key];
  if (!op) throw new Error(`No OpenAPI operation for ${key}: add it to lambdas/api/openapi/spec.ts`);
  const { errors, ...rest } = op;
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...rest,
    ...(route.authorized ? {} : { security: [] }),
    responses: { ...rest.responses, ...errorResponses([...errors, ...ALWAYS]) },
  };
}

/** The routes the document describes (a test checks they are exactly lib/topology.ts's). */
export const DOCUMENTED_ROUTES = Object.keys(OPERATIONS);

/** The whole document for `routes` (the platform's by default). */
export function openApiDocument(routes: readonly RouteSpec[] = topology.routes) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operationFor(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Payments platform API',
      version: '1.0.0',
      description:
        'Payments and notification events. Every error answer has the shape `{"error":{"code","message","details"?}}`. Amounts are integers in minor units.',
    },
    // Relative to the document's own URL, so `try it out` works under an API Gateway stage prefix too.
    servers: [{ url: '.', description: 'This deployment' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: '`npm run token` locally.',
        },
      },
      schemas: { ...schemasOf(requests, 'input'), ...schemasOf(answers, 'output') },
    },
  };
}
