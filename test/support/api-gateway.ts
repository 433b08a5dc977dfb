import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A REST API (v1) proxy event as API Gateway sends it after the authorizer accepted `userId`. */
export function apiEvent(input: {
  method: string;
  resource: string;
  path?: string;
  userId?: string;
  headers?: Record<string, string>;
  body?: string;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
}): APIGatewayProxyEvent {
  return {
    httpMethod: input.method,
    resource: input.resource,
    path: input.path ?? input.resource,
    headers: input.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: input.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: input.pathParameters ?? null,
    stageVariables: null,
    body: input.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      stage: 'test',
      httpMethod: input.method,
      resourcePath: input.resource,
      authorizer: input.userId ? { principalId: input.userId, userId: input.userId } : undefined,
    } as unknown as APIGatewayProxyEvent['requestContext'],
  } as APIGatewayProxyEvent;
}
