import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorAnswer } from './errors';

const BASE_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };

export function jsonResponse(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return { statusCode: status, headers: { ...BASE_HEADERS, ...headers }, body };
}

/** The one error shape (docs/architecture.md, "Wire contract"). */
export function errorResponse(error: unknown): APIGatewayProxyResult {
  const { status, code, message, details, retryAfterSeconds } = errorAnswer(error);
  return jsonResponse(
    status,
    JSON.stringify({ error: { code, message, ...(details ? { details } : {}) } }),
    retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) },
  );
}

/** Header lookup is case-insensitive: clients and HTTP/2 proxies vary. */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (k.toLowerCase() === wanted && v !== undefined) return v;
  }
  return undefined;
}
