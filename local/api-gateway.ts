import type { APIGatewayAuthorizerResult, APIGatewayProxyResult } from 'aws-lambda';
import {
  CORRELATION_HEADER,
  GATEWAY_ERRORS,
  type GatewayError,
  type GatewayErrorType,
} from '../lib/gateway-errors';
import { RATE_LIMITED, routePathPattern, tokenRuleExempt } from '../lib/rate-limits';
import type { RouteSpec } from '../lib/topology';
import { headerValue, type IncomingRequest, matchRoute, toProxyEvent } from './api-gateway-event';
import type { AuthorizerCache } from './authorizer-cache';
import { localArn } from './aws-identity';
import { invokeFunction, type LocalFunction } from './lambda-context';
import type { RateLimiter } from './rate-limiter';

// What API Gateway does in front of the API Lambda: route, run the TOKEN authorizer, invoke, and
// answer its own errors in the platform's error shape (as the gateway responses do in AWS). The WAF
// rate limits in front of it come first.

export interface GatewayResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer;
}

export interface ApiGatewayOptions {
  routes: readonly RouteSpec[];
  functionFor(name: string): LocalFunction;
  authorizer: string;
  /** As API Gateway's authorizer cache: the authorizer runs once per token per TTL. None: every request. */
  authorizerCache?: AuthorizerCache;
  log: (message: string, fields?: Record<string, unknown>) => void;
  /** The WAF rate-based rules (local/rate-limiter.ts); none: no limit. */
  rateLimiter?: RateLimiter;
}

export function errorResponse(statusCode: number, code: string, message: string, requestId?: string) {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json',
      ...(requestId ? { 'x-amzn-RequestId': requestId } : {}),
    },
    body: JSON.stringify({ error: { code, message } }),
  } satisfies GatewayResponse;
}

const ACCEPTABLE_CORRELATION_ID = /^[\w.:-]{1,128}$/;

/**
 * API Gateway's own answer of this type (lib/gateway-errors.ts), as the stack's gateway responses give it.
 * It carries X-Correlation-Id: the client's, else the request id (in AWS only the client's can be echoed).
 */
export function gatewayError(
  type: GatewayErrorType,
  req: Pick<IncomingRequest, 'rawHeaders' | 'requestId'>,
  options: { status?: number; reason?: string } = {},
): GatewayResponse {
  const answer: GatewayError = GATEWAY_ERRORS[type];
  const status = answer.status ?? options.status ?? (type === 'DEFAULT_5XX' ? 500 : 400);
  const message = typeof answer.message === 'string' ? answer.message : (options.reason ?? '');
  const response = errorResponse(status, answer.code, message, req.requestId);
  const given = headerValue(req.rawHeaders, CORRELATION_HEADER.toLowerCase());
  const correlationId = given && ACCEPTABLE_CORRELATION_ID.test(given) ? given : req.requestId;
  return { ...response, headers: { ...response.headers, [CORRELATION_HEADER]: correlationId } };
}

/** Compiled policy resources: a cached policy brings the same few patterns on every request. */
const resourcePatterns = new Map<string, RegExp>();

/** `*` in a policy resource matches anything, as in IAM. */
function resourceMatches(pattern: string, arn: string): boolean {
  let regex = resourcePatterns.get(pattern);
  if (!regex) {
    regex = new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    if (resourcePatterns.size >= 1000) resourcePatterns.clear();
    resourcePatterns.set(pattern, regex);
  }
  return regex.test(arn);
}

function isAllowed(result: APIGatewayAuthorizerResult, arn: string): boolean {
  const statements = result.policyDocument?.Statement ?? [];
  const applies = (s: (typeof statements)[number]) => {
    const resources = 'Resource' in s ? [s.Resource].flat() : [];
    return resources.some((r) => typeof r === 'string' && resourceMatches(r, arn));
  };
  const relevant = statements.filter(applies);
  return relevant.some((s) => s.Effect === 'Allow') && !relevant.some((s) => s.Effect === 'Deny');
}

type AuthOutcome = { context: Record<string, string | number | boolean> } | { denied: GatewayResponse };

async function authorize(req: IncomingRequest, options: ApiGatewayOptions): Promise<AuthOutcome> {
  const unauthorized = { denied: gatewayError('UNAUTHORIZED', req) };
  const token = headerValue(req.rawHeaders, 'authorization');
  if (!token) return unauthorized; // API Gateway refuses a missing identity source without calling the authorizer
  const fn = options.functionFor(options.authorizer);
  const arn = localArn.method(req.method, req.path);
  let result = options.authorizerCache?.get(token);
  try {
    if (!result) {
      result = (await invokeFunction(fn, {
        type: 'TOKEN',
        authorizationToken: token,
        methodArn: arn,
      })) as APIGatewayAuthorizerResult;
      if (result && typeof result.principalId === 'string') options.authorizerCache?.set(token, result);
    }
  } catch (error) {
    if ((error as Error)?.message === 'Unauthorized') return unauthorized;
    options.log('Authorizer failed', { error: String(error) });
    return { denied: gatewayError('DEFAULT_5XX', req, { status: 500 }) };
  }
  if (!result || typeof result.principalId !== 'string' || !isAllowed(result, arn)) {
    const reason = result?.context?.reason;
    return {
      denied: gatewayError('ACCESS_DENIED', req, { reason: typeof reason === 'string' ? reason : '' }),
    };
  }
  return { context: { ...(result.context ?? {}), principalId: result.principalId, integrationLatency: 0 } };
}

function toGatewayResponse(result: unknown, requestId: string): GatewayResponse | undefined {
  const r = result as Partial<APIGatewayProxyResult> | undefined;
  if (!r || typeof r.statusCode !== 'number' || r.statusCode < 100 || r.statusCode > 599) return undefined;
  if (r.body !== undefined && typeof r.body !== 'string') return undefined;
  const headers: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(r.multiValueHeaders ?? {})) headers[name] = values.map(String);
  for (const [name, value] of Object.entries(r.headers ?? {})) headers[name] = String(value);
  headers['x-amzn-RequestId'] = requestId;
  const body = r.isBase64Encoded ? Buffer.from(r.body ?? '', 'base64') : (r.body ?? '');
  return { statusCode: r.statusCode, headers, body };
}

const exemptPatterns = new WeakMap<readonly RouteSpec[], RegExp[]>();

/**
 * As the WAF scope-down statement: public routes by the end of the path, whatever the method. Compiled
 * once per route table, not per request.
 */
function tokenExemptPatterns(routes: readonly RouteSpec[]): RegExp[] {
  let patterns = exemptPatterns.get(routes);
  if (!patterns) {
    patterns = tokenRuleExempt(routes).map((r) => new RegExp(routePathPattern(r.path)));
    exemptPatterns.set(routes, patterns);
  }
  return patterns;
}

/**
 * WAF's 429 when a rate rule refuses the request (lib/rate-limits.ts): WAF's custom response carries no
 * X-Correlation-Id (it cannot echo a request header), so neither does this one.
 */
function rateLimited(req: IncomingRequest, options: ApiGatewayOptions): GatewayResponse | undefined {
  if (!options.rateLimiter) return undefined;
  const exempt = tokenExemptPatterns(options.routes).some((pattern) => pattern.test(req.path));
  const retryAfter = options.rateLimiter.refuse({
    token: exempt ? undefined : headerValue(req.rawHeaders, 'authorization'),
    ip: req.sourceIp,
  });
  if (retryAfter === undefined) return undefined;
  const answer = errorResponse(RATE_LIMITED.status, RATE_LIMITED.code, RATE_LIMITED.message, req.requestId);
  return { ...answer, headers: { ...answer.headers, 'Retry-After': String(retryAfter) } };
}

export async function handleApiRequest(
  req: IncomingRequest,
  options: ApiGatewayOptions,
): Promise<GatewayResponse> {
  const limited = rateLimited(req, options);
  if (limited) return limited;
  const lookup = matchRoute(options.routes, req.method, req.path);
  // An unknown method on a known path is a 404 too: REST APIs know no 405 (lib/gateway-errors.ts).
  if (lookup.kind !== 'match') return gatewayError('MISSING_AUTHENTICATION_TOKEN', req);
  let authorizerContext: Record<string, string | number | boolean> | null = null;
  if (lookup.route.authorized) {
    const auth = await authorize(req, options);
    if ('denied' in auth) return auth.denied;
    authorizerContext = auth.context;
  }
  const fn = options.functionFor(lookup.route.function);
  try {
    const result = await invokeFunction(fn, toProxyEvent(req, lookup, authorizerContext));
    const response = toGatewayResponse(result, req.requestId);
    if (response) return response;
    options.log('Malformed Lambda proxy response', { function: fn.name });
  } catch (error) {
    options.log('Handler failed', { function: fn.name, error: String(error) });
  }
  return gatewayError('DEFAULT_5XX', req, { status: 502 });
}
