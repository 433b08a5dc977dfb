import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { RouteSpec } from '../lib/topology';
import { LOCAL_ACCOUNT, LOCAL_API_ID, LOCAL_STAGE } from './aws-identity';

// HTTP requests as API Gateway REST (v1) proxy events, routed like the topology's resources.

export type RouteLookup =
  | { kind: 'match'; route: RouteSpec; pathParameters: Record<string, string> | null }
  | { kind: 'not_found' }
  | { kind: 'method_not_allowed' };

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const value = got[i]!;
    const param = /^\{(\w+)\}$/.exec(segment);
    if (param) {
      try {
        params[param[1]!] = decodeURIComponent(value);
      } catch {
        return undefined;
      }
    } else if (segment !== value) {
      return undefined;
    }
  }
  return params;
}

/** A literal resource wins over a path parameter, as in API Gateway. */
export function matchRoute(routes: readonly RouteSpec[], method: string, path: string): RouteLookup {
  const candidates = routes
    .map((route) => ({ route, params: matchPath(route.path, path) }))
    .filter((c): c is { route: RouteSpec; params: Record<string, string> } => c.params !== undefined)
    .sort((a, b) => Object.keys(a.params).length - Object.keys(b.params).length);
  if (candidates.length === 0) return { kind: 'not_found' };
  const hit = candidates.find((c) => c.route.method === method);
  if (!hit) return { kind: 'method_not_allowed' };
  return {
    kind: 'match',
    route: hit.route,
    pathParameters: Object.keys(hit.params).length > 0 ? hit.params : null,
  };
}

export interface IncomingRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Node's `rawHeaders`: names as the client sent them, alternating with values. */
  rawHeaders: readonly string[];
  body: string;
  sourceIp: string;
  requestId: string;
}

export function headerValue(rawHeaders: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name.toLowerCase()) found = rawHeaders[i + 1];
  }
  return found;
}

/**
 * API Gateway's single- and multi-value maps. Collected in a Map, then made own properties: a client's
 * name may be `constructor`, `valueOf` or `__proto__`, which a plain object would answer from its prototype.
 */
function collect(pairs: Iterable<[string, string]>) {
  const values = new Map<string, string[]>();
  for (const [name, value] of pairs) values.set(name, [...(values.get(name) ?? []), value]);
  if (values.size === 0) return { single: null, multi: null };
  const entries = [...values];
  return {
    single: Object.fromEntries(entries.map(([name, all]) => [name, all.at(-1)!])) as Record<string, string>,
    multi: Object.fromEntries(entries) as Record<string, string[]>,
  };
}

function headerPairs(rawHeaders: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i]!, rawHeaders[i + 1]!]);
  return pairs;
}

export function toProxyEvent(
  req: IncomingRequest,
  match: { route: RouteSpec; pathParameters: Record<string, string> | null },
  authorizer: Record<string, string | number | boolean> | null,
): APIGatewayProxyEvent {
  const headers = collect(headerPairs(req.rawHeaders));
  const query = collect(req.query.entries());
  const now = Date.now();
  return {
    resource: match.route.path,
    path: req.path,
    httpMethod: req.method,
    headers: headers.single ?? {},
    multiValueHeaders: headers.multi ?? {},
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: match.pathParameters,
    stageVariables: null,
    body: req.body === '' ? null : req.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: LOCAL_API_ID,
      authorizer,
      protocol: 'HTTP/1.1',
      httpMethod: req.method,
      path: `/${LOCAL_STAGE}${req.path}`,
      stage: LOCAL_STAGE,
      requestId: req.requestId,
      requestTimeEpoch: now,
      resourceId: LOCAL_API_ID,
      resourcePath: match.route.path,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.sourceIp,
        user: null,
        userAgent: headerValue(req.rawHeaders, 'user-agent') ?? null,
        userArn: null,
      },
    },
  };
}
