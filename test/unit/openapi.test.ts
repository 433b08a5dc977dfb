import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ERROR_STATUS } from '../../lambdas/api/errors';
import { DOCUMENTED_ROUTES, openApiDocument } from '../../lambdas/api/openapi/spec';
import { createPaymentBodySchema } from '../../lambdas/shared/domain/payment';
import { GATEWAY_ERRORS } from '../../lib/gateway-errors';
import { topology } from '../../lib/topology';

// The OpenAPI document (docs/architecture.md, "API reference"): committed, complete, and usable.

const ROOT = resolve(import.meta.dirname, '..', '..');
const doc = openApiDocument();
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
// biome-ignore lint/suspicious/noExplicitAny: the document's parts, read as plain JSON
type Json = any;
const STATUS_OF_CODE: Record<string, number | undefined> = {
  ...Object.fromEntries(
    Object.values(GATEWAY_ERRORS).flatMap((e) => ('status' in e ? [[e.code, e.status]] : [])),
  ),
  ...ERROR_STATUS,
};

describe('docs/openapi.json', () => {
  it('is what `npm run openapi` writes now (run it after changing a schema or a route)', () => {
    const committed = readFileSync(resolve(ROOT, 'docs', 'openapi.json'), 'utf8');
    expect(JSON.parse(committed)).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});

describe('OpenAPI document', () => {
  const specRoutes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => METHODS.includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
  const topologyRoutes = topology.routes.map((r) => `${r.method} ${r.path}`);

  it('has every route of lib/topology.ts, and every path in it is a route', () => {
    expect([...specRoutes].sort()).toEqual([...topologyRoutes].sort());
    expect([...DOCUMENTED_ROUTES].sort()).toEqual([...topologyRoutes].sort());
  });

  it('refuses to describe a route it has no operation for', () => {
    expect(() =>
      openApiDocument([{ method: 'GET', path: '/nowhere', function: 'api', authorized: true }]),
    ).toThrow('No OpenAPI operation for GET /nowhere');
  });

  it('leaves exactly the unauthorized routes open and puts the bearer scheme on the others', () => {
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const route of topology.routes) {
      const op = (doc.paths[route.path] as Record<string, { security?: unknown[] }>)[
        route.method.toLowerCase()
      ]!;
      expect({ route: route.path, open: op.security?.length === 0 }).toEqual({
        route: route.path,
        open: !route.authorized,
      });
    }
  });

  it('answers every error in the error shape, with the status lambdas/api/errors.ts gives its code', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'doc', components: doc.components } as object);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops as Record<string, { responses: Record<string, Json> }>)) {
        const errors = Object.entries(op.responses).filter(([status]) => Number(status) >= 400);
        expect({ path, method, errors: errors.length > 0 }).toEqual({ path, method, errors: true });
        for (const [status, response] of errors) {
          const media = response.content['application/json'];
          expect(media.schema).toEqual({ $ref: '#/components/schemas/Error' });
          for (const example of Object.values(media.examples) as { value: { error: { code: string } } }[]) {
            expect(ajv.validate('doc#/components/schemas/Error', example.value)).toBe(true);
            const code = example.value.error.code;
            expect({ code, status: Number(status) }).toEqual({ code, status: STATUS_OF_CODE[code] });
          }
        }
      }
    }
  });

  it('documents Idempotency-Key (required on POST /payments) and the Idempotent-Replayed header', () => {
    const create = (doc.paths['/payments'] as Json).post;
    expect(create.parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', required: true }),
    );
    expect(create.responses['201'].headers['Idempotent-Replayed']).toBeDefined();
    const event = (doc.paths['/events'] as Json).post;
    expect(event.parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', required: false }),
    );
  });

  it('describes the bodies the handlers validate: what zod accepts the schema accepts, and vice versa', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'doc', components: doc.components } as object);
    const validate = ajv.getSchema('doc#/components/schemas/CreatePayment')!;
    const cases = [
      { amount: 1999, currency: 'EUR' },
      { amount: 1999, currency: 'EUR', metadata: { a: 'b' }, description: 'x' },
      { amount: 0, currency: 'EUR' },
      { amount: 1.5, currency: 'EUR' },
      { amount: 100, currency: 'XXX' },
      { amount: 100, currency: 'EUR', extra: true },
      { currency: 'EUR' },
    ];
    for (const body of cases) {
      expect({ body, valid: validate(body) }).toEqual({
        body,
        valid: createPaymentBodySchema.safeParse(body).success,
      });
    }
    // Every example in the document is valid against its own schema.
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops as Record<string, Json>)) {
        const media = op.requestBody?.content['application/json'];
        if (!media) continue;
        const schema = ajv.getSchema(`doc${media.schema.$ref}`)!;
        expect({ path, valid: schema(media.example) }).toEqual({ path, valid: true });
      }
    }
  });

  it('describes answers strictly enough to catch a drift (a missing or unknown field fails)', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'doc', components: doc.components } as object);
    const payment = ajv.getSchema('doc#/components/schemas/Payment')!;
    const example: Json = (doc.paths['/payments'] as Json).post.responses['201'].content['application/json']
      .example;
    expect(payment(example)).toBe(true);
    const { risk: _risk, ...withoutRisk } = example;
    expect(payment(withoutRisk)).toBe(false);
    expect(payment({ ...example, secret: 'x' })).toBe(false);
    expect(payment({ ...example, status: 'DONE' })).toBe(false);
    expect(ajv.validate('doc#/components/schemas/Error', { error: { code: 'nope', message: 'x' } })).toBe(
      false,
    );
  });
});
