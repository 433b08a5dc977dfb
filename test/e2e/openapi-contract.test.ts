import { randomUUID } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { topology } from '../../lib/topology';
import { localRuntimeForFile } from '../support/local-runtime-process';
import { type HttpResult, isTerminal, type Payment, PaymentsClient } from './client';

// Contract test (docs/architecture.md, "API reference"): real answers of every route, successes and the
// main errors, over real HTTP from the local runtime, validated against the document it serves.

interface Operation {
  responses: Record<
    string,
    { headers?: Record<string, unknown>; content?: Record<string, { schema: object }> }
  >;
}
type Document = { paths: Record<string, Record<string, Operation>>; components: object };

describe('answers conform to GET /openapi.json (local runtime)', () => {
  const runtime = localRuntimeForFile();
  const client = async () => new PaymentsClient(runtime().baseUrl, await runtime().token(randomUUID()));
  let doc: Document;
  let ajv: Ajv2020;
  const seen = new Set<string>();

  beforeAll(async () => {
    const res = await fetch(`${runtime().baseUrl}/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Document;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'doc', components: doc.components });
  });

  /** The answer's status is documented for the route, and its body validates against that response's schema. */
  function conforms<T>(method: string, path: string, res: HttpResult<T>): HttpResult<T> {
    seen.add(`${method} ${path}`);
    const response = doc.paths[path]?.[method.toLowerCase()]?.responses[String(res.status)];
    expect({ route: `${method} ${path}`, status: res.status, documented: response !== undefined }).toEqual({
      route: `${method} ${path}`,
      status: res.status,
      documented: true,
    });
    const schema = response!.content?.['application/json']?.schema;
    expect(schema).toBeDefined();
    const validate = ajv.compile({ $ref: `doc${(schema as { $ref?: string }).$ref ?? ''}` });
    const valid = (schema as { $ref?: string }).$ref ? validate(res.json) : typeof res.json === 'object';
    expect({
      route: `${method} ${path}`,
      status: res.status,
      errors: valid ? null : validate.errors,
    }).toEqual({
      route: `${method} ${path}`,
      status: res.status,
      errors: null,
    });
    return res;
  }

  it('payments: created, replayed, refused, read, listed, settled with its risk and notifications', async () => {
    const c = await client();
    const key = randomUUID();
    const body = { amount: 1250, currency: 'EUR', description: 'Order 1042', metadata: { order_id: '1042' } };
    const created = conforms('POST', '/payments', await c.createPayment(body, key));
    expect(created.status).toBe(201);
    const replayed = conforms('POST', '/payments', await c.createPayment(body, key));
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(conforms('POST', '/payments', await c.createPayment({ ...body, amount: 7 }, key)).status).toBe(
      422,
    );
    expect(conforms('POST', '/payments', await c.createPayment({ amount: -1, currency: 'EUR' })).status).toBe(
      400,
    );
    const noKey = await c.request('POST', '/payments', { body });
    expect(conforms('POST', '/payments', noKey).json).toMatchObject({
      error: { code: 'idempotency_key_missing' },
    });
    const text = await c.request('POST', '/payments', {
      headers: { 'content-type': 'text/plain', 'idempotency-key': randomUUID() },
    });
    expect(conforms('POST', '/payments', text).status).toBe(415);
    const big = await c.request('POST', '/payments', {
      body: { ...body, description: 'x'.repeat(20_000) },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(conforms('POST', '/payments', big).status).toBe(413);
    const anonymous = await fetch(`${runtime().baseUrl}/payments`);
    expect(
      conforms('GET', '/payments', { status: anonymous.status, json: await anonymous.json() } as HttpResult)
        .status,
    ).toBe(401);

    const id = (created.json as Payment).id;
    const settled = await c.eventually(
      () => c.request<Payment>('GET', `/payments/${id}`),
      (r) => r.status === 200 && isTerminal(r.json) && r.json.risk != null,
    );
    expect(conforms('GET', '/payments/{id}', settled).json.risk).not.toBeNull();
    expect(
      conforms('GET', '/payments/{id}', await c.request('GET', `/payments/${randomUUID()}`)).status,
    ).toBe(404);
    const page = conforms('GET', '/payments', await c.request('GET', '/payments?limit=1'));
    expect((page.json as { data: unknown[] }).data).toHaveLength(1);
    expect(conforms('GET', '/payments', await c.request('GET', '/payments?limit=0')).status).toBe(400);

    const notified = await c.eventually(
      () => c.request<{ data: unknown[] }>('GET', `/notifications?payment_id=${id}`),
      (r) => r.status === 200 && r.json.data.length > 0,
    );
    expect(conforms('GET', '/notifications', notified).json.data.length).toBeGreaterThan(0);
    expect(conforms('GET', '/notifications', await c.request('GET', '/notifications?nope=1')).status).toBe(
      400,
    );

    const balance = await c.request('GET', `/accounts/${encodeURIComponent(c.userId)}/balance`);
    expect(conforms('GET', '/accounts/{user_id}/balance', balance).status).toBe(200);
    const other = await c.request('GET', `/accounts/${randomUUID()}/balance`);
    expect(conforms('GET', '/accounts/{user_id}/balance', other).status).toBe(403);
  });

  it('notification events: accepted, refused, read once processed, listed', async () => {
    const c = await client();
    const accepted = await c.request<{ id: string }>('POST', '/events', {
      body: { event_type: 'order.shipped', message: 'Shipped', payload: { email: 'a@b.co' } },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(conforms('POST', '/events', accepted).status).toBe(202);
    const bad = await c.request('POST', '/events', { body: { event_type: 'Bad Type', message: '' } });
    expect(conforms('POST', '/events', bad).status).toBe(400);
    const unknown = await c.request('GET', `/events/${randomUUID()}`);
    expect(conforms('GET', '/events/{id}', unknown).status).toBe(404);
    const shown = await c.eventually(
      () => c.request('GET', `/events/${accepted.json.id}`),
      (r) => r.status === 200,
    );
    expect(conforms('GET', '/events/{id}', shown).status).toBe(200);
    const listed = conforms('GET', '/events', await c.request('GET', '/events?event_type=order.shipped'));
    expect((listed.json as { data: unknown[] }).data).toHaveLength(1);
    expect(conforms('GET', '/events', await c.request('GET', '/events?event_type=BAD')).status).toBe(400);
  });

  it('the public routes answer without a token', async () => {
    for (const path of ['/health', '/openapi.json']) {
      const res = await fetch(`${runtime().baseUrl}${path}`);
      conforms('GET', path, { status: res.status, headers: res.headers, text: '', json: await res.json() });
      expect(res.status).toBe(200);
    }
  });

  it('GET /docs serves Swagger UI and every file it loads, without a token and without a CDN', async () => {
    const base = runtime().baseUrl;
    const page = await fetch(`${base}/docs`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    seen.add('GET /docs');
    // Every script and stylesheet is relative: served by the platform, nothing from another origin.
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset).not.toMatch(/^(https?:)?\/\//);
      const res = await fetch(new URL(asset, `${base}/docs`));
      const body = await res.text();
      expect({ asset, status: res.status }).toEqual({ asset, status: 200 });
      expect(res.headers.get('content-type')).toMatch(/^text\/(javascript|css)/);
      expect(body.length).toBeGreaterThan(10);
    }
    expect(await (await fetch(new URL('docs/swagger-ui-bundle.js', `${base}/docs`))).text()).toContain(
      'SwaggerUI',
    );
    const missing = await fetch(`${base}/docs/secrets.txt`);
    conforms('GET', '/docs/{asset}', {
      status: missing.status,
      headers: missing.headers,
      text: '',
      json: await missing.json(),
    });
    expect(missing.status).toBe(404);
  });

  it('every route of lib/topology.ts was checked above', () => {
    expect([...seen].sort()).toEqual(topology.routes.map((r) => `${r.method} ${r.path}`).sort());
  });
});
