import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ZodError } from 'zod';
import { AppError, type ErrorDetail } from '../shared/domain/errors';

const BASE_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };

export function jsonResponse(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return { statusCode: status, headers: { ...BASE_HEADERS, ...headers }, body };
}

/** The one error shape (DESIGN.md section 3); unexpected errors say nothing about the internals. */
export function errorResponse(error: unknown): APIGatewayProxyResult {
  const e =
    error instanceof AppError ? error : new AppError('internal_error', 'Something went wrong on our side');
  const body = { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
  return jsonResponse(e.status, JSON.stringify(body));
}

/** Header lookup is case-insensitive: clients and HTTP/2 proxies vary. */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (k.toLowerCase() === wanted && v !== undefined) return v;
  }
  return undefined;
}

export function zodDetails(error: ZodError): ErrorDetail[] {
  return error.issues.map((i) => ({ field: i.path.join('.') || 'body', issue: i.message }));
}

export function validationError(error: ZodError, what = 'The request is invalid'): AppError {
  return new AppError('validation_error', what, zodDetails(error));
}
