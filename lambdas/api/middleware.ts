import { randomUUID } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { logger } from '../shared/observability';
import { errorAnswer } from './errors';
import { errorResponse, header } from './http';

const CORRELATION_HEADER = 'X-Correlation-Id';
const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;

/** The request's correlation id: the client's if it is sane, otherwise a new one, fixed on the event. */
export function correlationIdOf(event: APIGatewayProxyEvent): string {
  return header(event, CORRELATION_HEADER) ?? '';
}

/**
 * The HTTP boundary: every response carries X-Correlation-Id, every log line has it, and every
 * error leaves in the one error shape (unexpected ones logged with their stack, never returned).
 */
export function httpBoundary(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const withCorrelationHeader = (event: APIGatewayProxyEvent, response: APIGatewayProxyResult) => {
    response.headers = { ...response.headers, [CORRELATION_HEADER]: correlationIdOf(event) };
  };
  return {
    before: (request) => {
      const given = header(request.event, CORRELATION_HEADER);
      const id = given && ACCEPTABLE_ID.test(given) ? given : randomUUID();
      const headers = Object.fromEntries(
        Object.entries(request.event.headers ?? {}).filter(([k]) => k.toLowerCase() !== 'x-correlation-id'),
      );
      request.event.headers = { ...headers, [CORRELATION_HEADER]: id };
      logger.appendKeys({ correlation_id: id });
    },
    after: (request) => {
      if (request.response) withCorrelationHeader(request.event, request.response);
    },
    onError: (request) => {
      const error = request.error;
      if (errorAnswer(error).status >= 500) {
        logger.error('Request failed', { error: error as Error });
      }
      request.response = errorResponse(error);
      withCorrelationHeader(request.event, request.response);
    },
  };
}
