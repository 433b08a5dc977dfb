import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { AppError } from '../shared/domain/errors';
import { metrics } from '../shared/metrics';
import { type CreatePaymentDeps, createPayment } from '../shared/use-cases/create-payment';
import {
  checkHealth,
  getBalance,
  getPayment,
  listNotifications,
  listPayments,
} from '../shared/use-cases/payment-queries';
import type { PaymentQueries } from '../shared/use-cases/ports';
import { jsonResponse } from './http';
import { correlationIdOf } from './middleware';
import {
  callerId,
  createPaymentBody,
  idempotencyKey,
  isUuid,
  listPaymentsQuery,
  notificationsQuery,
} from './request';

export interface ApiDeps {
  queries: PaymentQueries;
  creation: Omit<CreatePaymentDeps, 'render'>;
}

type Route = (event: APIGatewayProxyEvent, deps: ApiDeps) => Promise<APIGatewayProxyResult>;

const ok = (body: unknown) => jsonResponse(200, JSON.stringify(body));

/** One entry per `api` route of lib/topology.ts, keyed by method and REST resource path. */
export const routes: Record<string, Route> = {
  'GET /health': async (_event, deps) => ok(await checkHealth(deps.queries)),

  'POST /payments': async (event, deps) => {
    // Validation and auth run before the idempotency layer, so their failures are never stored.
    const userId = callerId(event);
    const key = idempotencyKey(event);
    const body = createPaymentBody(event);
    const result = await createPayment(
      { ...deps.creation, render: (payment) => JSON.stringify(payment) },
      { userId, idempotencyKey: key, body, correlationId: correlationIdOf(event) },
    );
    if (!result.replayed) metrics.addMetric('PaymentsCreated', 'Count', 1);
    return jsonResponse(result.status, result.body, result.replayed ? { 'Idempotent-Replayed': 'true' } : {});
  },

  'GET /payments': async (event, deps) =>
    ok(await listPayments(deps.queries, { userId: callerId(event), ...listPaymentsQuery(event) })),

  'GET /payments/{id}': async (event, deps) => {
    const userId = callerId(event);
    const id = event.pathParameters?.id;
    if (!isUuid(id)) throw new AppError('not_found', 'Payment not found');
    return ok(await getPayment(deps.queries, userId, id));
  },

  'GET /notifications': async (event, deps) => {
    const userId = callerId(event);
    const query = notificationsQuery(event);
    return ok(await listNotifications(deps.queries, { userId, paymentId: query.payment_id }));
  },

  'GET /accounts/{user_id}/balance': async (event, deps) =>
    ok(
      await getBalance(deps.queries, {
        userId: callerId(event),
        accountUserId: event.pathParameters?.user_id ?? '',
      }),
    ),
};

export function routeOf(event: APIGatewayProxyEvent): Route {
  const route = routes[`${event.httpMethod} ${event.resource}`];
  if (!route) throw new AppError('not_found', 'No such route');
  return route;
}
