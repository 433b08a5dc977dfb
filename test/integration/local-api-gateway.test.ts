import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { signDevToken } from '../../lambdas/shared/auth/dev-token';
import { GATEWAY_ERRORS } from '../../lib/gateway-errors';
import { topology } from '../../lib/topology';
import { type ApiGatewayOptions, handleApiRequest } from '../../local/api-gateway';
import { AuthorizerCache } from '../../local/authorizer-cache';
import { createLocalHttpServer } from '../../local/http-server';
import type { LambdaHandler, LocalFunction } from '../../local/lambda-context';

const SECRET = 'local-api-gateway-test-secret-0123456789';

describe('local API Gateway emulation (real authorizer)', () => {
  let baseUrl: string;
  let server: ReturnType<typeof createLocalHttpServer>;
  const events: APIGatewayProxyEvent[] = [];
  let apiBehaviour: () => Promise<unknown> = async () => ({ statusCode: 200, body: '{"ok":true}' });

  beforeAll(async () => {
    Object.assign(process.env, { APP_STAGE: 'local', JWT_SECRET: SECRET, POWERTOOLS_LOG_LEVEL: 'SILENT' });
    const authorizer = (await import('../../lambdas/authorizer/handler')).handler as unknown as LambdaHandler;
    const api: LambdaHandler = async (event, context) => {
      events.push(event as APIGatewayProxyEvent);
      expect(context.getRemainingTimeInMillis()).toBeGreaterThan(9000);
      return apiBehaviour();
    };
    const functions: Record<string, LocalFunction> = {
      api: { name: 'api', spec: topology.functions.api, handler: api },
      authorizer: { name: 'authorizer', spec: topology.functions.authorizer, handler: authorizer },
    };
    const gateway: ApiGatewayOptions = {
      routes: topology.routes,
      authorizer: 'authorizer',
      functionFor: (name) => functions[name]!,
      log: () => {},
    };
    server = createLocalHttpServer({
      api: (req) => handleApiRequest(req, gateway),
      awsServices: [],
      status: async () => ({ ok: true }),
      log: () => {},
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => {
    events.length = 0;
    apiBehaviour = async () => ({ statusCode: 200, body: '{"ok":true}' });
  });

  const token = (userId: string, audience = 'payments-api') =>
    signDevToken({ userId, secret: SECRET, issuer: 'payments-local', audience });

  it('turns an authorized request into a REST proxy event with the authorizer context', async () => {
    const userId = randomUUID();
    const res = await fetch(`${baseUrl}/payments/abc%20d?x=1&x=2&y=3`, {
      headers: { Authorization: `Bearer ${await token(userId)}`, 'X-Custom': 'v' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const [event] = events;
    expect(event).toMatchObject({
      resource: '/payments/{id}',
      path: '/payments/abc%20d',
      httpMethod: 'GET',
      pathParameters: { id: 'abc d' },
      queryStringParameters: { x: '2', y: '3' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: ['3'] },
      body: null,
      isBase64Encoded: false,
      requestContext: {
        stage: 'local',
        httpMethod: 'GET',
        resourcePath: '/payments/{id}',
        identity: { sourceIp: '127.0.0.1' },
        authorizer: { principalId: userId, userId },
      },
    });
    expect(event!.headers['X-Custom']).toBe('v');
    expect(event!.multiValueHeaders['X-Custom']).toEqual(['v']);
    expect(event!.requestContext.requestId).toBe(res.headers.get('x-amzn-requestid'));
  });

  it('answers 401 in the error shape, saying why, without calling the API', async () => {
    const attempts: [Record<string, string>, string][] = [
      [{}, GATEWAY_ERRORS.UNAUTHORIZED.message],
      [{ Authorization: 'Bearer not-a-jwt' }, 'The Authorization header must be: Bearer <token>'],
      [
        { Authorization: `Bearer ${await token(randomUUID(), 'someone-else')}` },
        'The token was not issued for this API (issuer or audience)',
      ],
    ];
    for (const [headers, message] of attempts) {
      const res = await fetch(`${baseUrl}/payments`, {
        headers: { ...headers, 'X-Correlation-Id': 'c-401' },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('x-correlation-id')).toBe('c-401');
      expect(await res.json()).toEqual({ error: { code: 'unauthorized', message } });
    }
    expect(events).toHaveLength(0);
  });

  it('accepts a lower case bearer scheme', async () => {
    const res = await fetch(`${baseUrl}/payments`, {
      headers: { Authorization: `bearer ${await token('u')}` },
    });
    expect(res.status).toBe(200);
  });

  it('serves unauthenticated routes without a token and passes the body and headers through', async () => {
    apiBehaviour = async () => ({
      statusCode: 201,
      headers: { 'Idempotent-Replayed': 'true' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: '{"created":true}',
    });
    const res = await fetch(`${baseUrl}/health`);
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBe('true');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ created: true });
    expect(events[0]!.requestContext.authorizer).toBeNull();
  });

  it('answers 404 for unknown routes and unknown methods alike, as API Gateway REST does', async () => {
    for (const [path, method] of [
      ['/nope', 'GET'],
      ['/health', 'DELETE'],
    ] as const) {
      const res = await fetch(`${baseUrl}${path}`, { method });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'No such route' } });
      expect(res.headers.get('x-correlation-id')).toBe(res.headers.get('x-amzn-requestid'));
    }
    expect(events).toHaveLength(0);
  });

  it('refuses a body above 10 MB with 413 before any handler runs', async () => {
    const res = await fetch(`${baseUrl}/payments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${await token(randomUUID())}`, 'content-type': 'application/json' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    expect(events).toHaveLength(0);
  });

  it('hides handler failures and malformed results behind 502 internal_error', async () => {
    apiBehaviour = async () => {
      throw new Error('secret internals at /srv/app.ts:12');
    };
    const thrown = await fetch(`${baseUrl}/health`);
    expect(thrown.status).toBe(502);
    const text = await thrown.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal_error', message: 'Internal error' } });
    expect(text).not.toContain('secret internals');
    apiBehaviour = async () => ({ body: 'no status code' });
    expect((await fetch(`${baseUrl}/health`)).status).toBe(502);
  });

  it('serves the status page without authentication', async () => {
    const res = await fetch(`${baseUrl}/local/status`);
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe('local API Gateway authorizer cache (resultsCacheTtl, per token)', () => {
  let baseUrl: string;
  let server: ReturnType<typeof createLocalHttpServer>;
  let clock = 1_000_000;
  const authorizerCalls: string[] = [];

  beforeAll(async () => {
    Object.assign(process.env, { APP_STAGE: 'local', JWT_SECRET: SECRET, POWERTOOLS_LOG_LEVEL: 'SILENT' });
    const real = (await import('../../lambdas/authorizer/handler')).handler as unknown as LambdaHandler;
    const authorizer: LambdaHandler = (event, context) => {
      authorizerCalls.push((event as { authorizationToken: string }).authorizationToken);
      return real(event, context);
    };
    const api: LambdaHandler = async (event) => ({
      statusCode: 200,
      body: JSON.stringify((event as APIGatewayProxyEvent).requestContext.authorizer),
    });
    const functions: Record<string, LocalFunction> = {
      api: { name: 'api', spec: topology.functions.api, handler: api },
      authorizer: { name: 'authorizer', spec: topology.functions.authorizer, handler: authorizer },
    };
    const gateway: ApiGatewayOptions = {
      routes: topology.routes,
      authorizer: 'authorizer',
      authorizerCache: new AuthorizerCache(300, () => clock),
      functionFor: (name) => functions[name]!,
      log: () => {},
    };
    server = createLocalHttpServer({
      api: (req) => handleApiRequest(req, gateway),
      awsServices: [],
      status: async () => ({}),
      log: () => {},
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => {
    authorizerCalls.length = 0;
    clock = Date.now();
  });

  const get = (path: string, bearer: string) =>
    fetch(`${baseUrl}${path}`, { headers: { Authorization: `Bearer ${bearer}` } });

  it('runs the authorizer once per token within the TTL, on any route, with the same context', async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const aliceToken = await signDevToken({
      userId: alice,
      secret: SECRET,
      issuer: 'payments-local',
      audience: 'payments-api',
    });
    const bobToken = await signDevToken({
      userId: bob,
      secret: SECRET,
      issuer: 'payments-local',
      audience: 'payments-api',
    });
    for (const path of ['/payments', '/payments/x', '/payments']) {
      const res = await get(path, aliceToken);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ principalId: alice, userId: alice });
    }
    const other = await get('/payments', bobToken);
    expect(await other.json()).toMatchObject({ principalId: bob });
    expect(authorizerCalls).toEqual([`Bearer ${aliceToken}`, `Bearer ${bobToken}`]);
    clock += 301_000; // past the TTL: asked again
    expect((await get('/payments', aliceToken)).status).toBe(200);
    expect(authorizerCalls).toHaveLength(3);
  });

  it('caches a refusal like any policy (as AWS caches a Deny), and never serves a token past its own expiry', async () => {
    for (let i = 0; i < 2; i++) expect((await get('/payments', 'not-a-jwt')).status).toBe(401);
    expect(authorizerCalls).toHaveLength(1);
    const shortLived = await signDevToken({
      userId: randomUUID(),
      secret: SECRET,
      issuer: 'payments-local',
      audience: 'payments-api',
      expiresInSeconds: 60,
    });
    expect((await get('/payments', shortLived)).status).toBe(200);
    expect((await get('/payments', shortLived)).status).toBe(200);
    expect(authorizerCalls).toHaveLength(2);
    clock += 61_000; // within the TTL but past `exp`: the authorizer decides again
    await get('/payments', shortLived);
    expect(authorizerCalls).toHaveLength(3);
  });
});
