import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '../shared/logger';
import { flushMetrics } from '../shared/metrics';
import { httpBoundary } from './middleware';
import { type ApiDeps, routeOf } from './routes';

/** The API function with its dependencies supplied by `getDeps` (cold-start wiring, or a test's). */
export function createApiHandler(getDeps: () => Promise<ApiDeps>) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({ after: flushMetrics, onError: flushMetrics })
    .use(httpBoundary())
    .handler(async (event) => routeOf(event)(event, await getDeps()));
}
