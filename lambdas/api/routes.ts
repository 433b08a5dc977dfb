import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { METRICS } from '../../lib/names';
import { metrics } from '../shared/observability';
import { type CreatePaymentDeps, createPayment } from '../shared/use-cases/create-payment';
import { getEvent, listEvents } from '../shared/use-cases/event-queries';
import {
  checkHealth,
  getBalance,
  getPayment,
  listNotifications,
  listPayments,
} from '../shared/use-cases/payment-queries';
import type { EventQueries, PaymentQueries } from '../shared/use-cases/ports';
import { type RequestNotificationDeps, requestNotification } from '../shared/use-cases/request-notification';
import { encodeCursor } from './cursor';
import { docsAnswer } from './docs';
import { RequestError } from './errors';
import { jsonResponse } from './http';
import { correlationIdOf } from './middleware';
import { openApiDocument } from './openapi/spec';
import {
  callerId,
  createPaymentBody,
  idempotencyKey,
  isUuid,
  listEventsQuery,
  listPaymentsQuery,
  notificationsQuery,
  optionalIdempotencyKey,
  pathId,
  requestEventBody,
} from './request';

export interface ApiDeps {
  queries: PaymentQueries;
  creation: CreatePaymentDeps;
  /** Notification events: accepted onto the bus, read back once processed. */
  events: { request: RequestNotificationDeps; queries: EventQueries };
}

type Route = (event: APIGatewayProxyEvent, deps: ApiDeps) => Promise<APIGatewayProxyResult>;

const ok = (body: unknown) => jsonResponse(200, JSON.stringify(body));

/** Built on the first request, not at cold start: most invocations never ask for it. */
let openApiJson: string | undefined;

/** One entry per `api` route of lib/topology.ts, keyed by method and REST resource path. */
export const routes: Record<string, Route> = {
  'GET /health': async (_event, deps) => {
    await checkHealth(deps.queries);
    return ok({ status: 'ok' });
  },

  'POST /payments': async (event, deps) => {
    // Validation and auth run before the idempotency layer, so their failures are never stored.
    const userId = callerId(event);
    const key = idempotencyKey(event);
    const body = createPaymentBody(event);
    const result = await createPayment(deps.creation, {
      userId,
      idempotencyKey: key,
      body,
      correlationId: correlationIdOf(event),
      // Not screened yet: `risk` is null until the risk worker assessed it (docs/architecture.md, "Risk screening").
      answer: (payment) => ({ status: 201, body: JSON.stringify({ ...payment, risk: null }) }),
    });
    if (result.outcome === 'created') metrics.addMetric(METRICS.paymentsCreated, 'Count', 1);
    const headers: Record<string, string> =
      result.outcome === 'replayed' ? { 'Idempotent-Replayed': 'true' } : {};
    return jsonResponse(result.answer.status, result.answer.body, headers);
  },

  'GET /payments': async (event, deps) => {
    const query = listPaymentsQuery(event);
    const page = await listPayments(deps.queries, {
      userId: callerId(event),
      ...query,
      riskLevel: query.risk_level,
    });
    return ok({ data: page.payments, next_cursor: page.next ? encodeCursor(page.next, query) : null });
  },

  'GET /payments/{id}': async (event, deps) => {
    const userId = callerId(event);
    const id = pathId(event, 'id');
    if (!isUuid(id)) throw new RequestError('not_found', 'Payment not found');
    return ok(await getPayment(deps.queries, userId, id));
  },

  'GET /notifications': async (event, deps) => {
    const userId = callerId(event);
    const query = notificationsQuery(event);
    const page = await listNotifications(deps.queries, {
      userId,
      ...query,
      paymentId: query.payment_id,
      eventId: query.event_id,
    });
    return ok({ data: page.notifications, next_cursor: page.next ? encodeCursor(page.next, query) : null });
  },

  'POST /events': async (event, deps) => {
    const userId = callerId(event);
    const key = optionalIdempotencyKey(event);
    const body = requestEventBody(event);
    const { id } = await requestNotification(deps.events.request, {
      userId,
      idempotencyKey: key,
      body,
      correlationId: correlationIdOf(event),
    });
    metrics.addMetric(METRICS.notificationEventsAccepted, 'Count', 1);
    return jsonResponse(202, JSON.stringify({ id, status: 'accepted' }));
  },

  'GET /events': async (event, deps) => {
    const query = listEventsQuery(event);
    const page = await listEvents(deps.events.queries, {
      userId: callerId(event),
      ...query,
      eventType: query.event_type,
    });
    return ok({ data: page.events, next_cursor: page.next ? encodeCursor(page.next, query) : null });
  },

  'GET /events/{id}': async (event, deps) => {
    const userId = callerId(event);
    const id = pathId(event, 'id');
    if (!isUuid(id)) throw new RequestError('not_found', 'Event not found (or not processed yet)');
    return ok(await getEvent(deps.events.queries, userId, id));
  },

  'GET /accounts/{user_id}/balance': async (event, deps) => {
    const accountUserId = pathId(event, 'user_id');
    return ok({ data: await getBalance(deps.queries, { userId: callerId(event), accountUserId }) });
  },

  'GET /openapi.json': async () => {
    openApiJson ??= JSON.stringify(openApiDocument());
    return jsonResponse(200, openApiJson, { 'Cache-Control': 'public, max-age=300' });
  },

  'GET /docs': async () => docsAnswer(),

  'GET /docs/{asset}': async (event) => docsAnswer(event.pathParameters?.asset ?? ''),
};

/** The route API Gateway matched (its method and resource path), as the topology declares it. */
export function routeFor(event: APIGatewayProxyEvent): Route {
  const route = routes[`${event.httpMethod} ${event.resource}`];
  if (!route) throw new RequestError('not_found', 'No such route');
  return route;
}
