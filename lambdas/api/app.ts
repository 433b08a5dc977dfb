import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { PostgresPaymentCreationStore } from '../shared/adapters/postgres/payment-creation-store';
import { PostgresPaymentQueries } from '../shared/adapters/postgres/payment-queries';
import { observed } from '../shared/observability';
import type { SharedResources } from '../shared/resources';
import { httpBoundary } from './middleware';
import { type ApiDeps, routeFor } from './routes';

/** The API's ports, from the resources every function of the process shares. */
export function apiDeps(resources: SharedResources): ApiDeps {
  const { db, clock, ids } = resources;
  return {
    queries: new PostgresPaymentQueries(db),
    creation: { store: new PostgresPaymentCreationStore(db), clock, ids },
  };
}

/** The API function with its dependencies supplied by `getDeps` (cold-start wiring, or a test's). */
export function createApiHandler(getDeps: () => Promise<ApiDeps>) {
  return observed(
    middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
      .use(httpBoundary())
      .handler(async (event) => routeFor(event)(event, await getDeps())),
  );
}
