import { ERROR_STATUS, RequestError } from '../../lambdas/api/errors';
import { errorResponse } from '../../lambdas/api/http';
import { createPaymentBody, idempotencyKey, listPaymentsQuery } from '../../lambdas/api/request';
import { routes } from '../../lambdas/api/routes';
import { canonicalHash } from '../../lambdas/shared/domain/canonical-json';
import {
  DependencyUnavailableError,
  ForbiddenError,
  GatewayTimeoutError,
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  NotFoundError,
} from '../../lambdas/shared/use-cases/errors';
import { topology } from '../../lib/topology';
import { apiEvent } from '../support/factories';

const withBody = (body: string, contentType = 'application/json') =>
  apiEvent({ method: 'POST', resource: '/payments', headers: { 'content-type': contentType }, body });

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as RequestError).code;
  }
  return 'none';
};

describe('request parsing', () => {
  it('accepts a full valid body', () => {
    const body = createPaymentBody(
      withBody('{"amount":100,"currency":"EUR","description":"x","metadata":{"a":"b"},"user_id":"u"}'),
    );
    expect(body).toEqual({
      amount: 100,
      currency: 'EUR',
      description: 'x',
      metadata: { a: 'b' },
      user_id: 'u',
    });
  });

  it.each([
    ['{"amount":0,"currency":"EUR"}', 'validation_error'],
    ['{"amount":"100","currency":"EUR"}', 'validation_error'],
    ['{"amount":100,"currency":"eur"}', 'validation_error'],
    ['{"amount":100,"currency":"EUR","metadata":{"a":1}}', 'validation_error'],
    ['[]', 'validation_error'],
    ['null', 'validation_error'],
    ['', 'validation_error'],
  ])('rejects %s as %s', (body, code) => {
    expect(codeOf(() => createPaymentBody(withBody(body)))).toBe(code);
  });

  it('accepts charset=utf-8 and refuses other media types', () => {
    expect(
      codeOf(() =>
        createPaymentBody(withBody('{"amount":1,"currency":"USD"}', 'application/json; charset=UTF-8')),
      ),
    ).toBe('none');
    expect(codeOf(() => createPaymentBody(withBody('{}', 'application/xml')))).toBe('unsupported_media_type');
  });

  it('names the failing fields in details', () => {
    try {
      createPaymentBody(withBody('{"amount":-5,"currency":"ABC","extra":1}'));
      throw new Error('expected a validation error');
    } catch (e) {
      const fields = (e as RequestError).details?.map((d) => d.field).sort();
      expect(fields).toEqual(expect.arrayContaining(['amount', 'currency']));
    }
  });

  it('checks the Idempotency-Key header case-insensitively and for printable characters', () => {
    const ev = (key: string) =>
      apiEvent({ method: 'POST', resource: '/payments', headers: { 'idempotency-key': key } });
    expect(idempotencyKey(ev('abc-123'))).toBe('abc-123');
    expect(codeOf(() => idempotencyKey(ev('')))).toBe('idempotency_key_missing');
    expect(codeOf(() => idempotencyKey(ev('tab\there')))).toBe('validation_error');
    expect(codeOf(() => idempotencyKey(ev('ключ')))).toBe('validation_error');
  });

  it('defaults the page size and bounds it', () => {
    expect(listPaymentsQuery(apiEvent({ method: 'GET', resource: '/payments' })).limit).toBe(20);
    expect(
      codeOf(() =>
        listPaymentsQuery(apiEvent({ method: 'GET', resource: '/payments', query: { limit: '1000' } })),
      ),
    ).toBe('validation_error');
  });
});

describe('error mapping', () => {
  it.each(Object.entries(ERROR_STATUS))('maps %s to HTTP %i in the one error shape', (code, status) => {
    const res = errorResponse(new RequestError(code as keyof typeof ERROR_STATUS, 'msg'));
    expect(res.statusCode).toBe(status);
    expect(JSON.parse(res.body)).toEqual({ error: { code, message: 'msg' } });
  });

  it.each([
    [new NotFoundError('Payment not found'), 404, 'not_found'],
    [new ForbiddenError('not yours'), 403, 'forbidden'],
    [new IdempotencyKeyReusedError('other body'), 422, 'idempotency_key_reused'],
    [new IdempotencyKeyInUseError('still running'), 409, 'idempotency_key_in_use'],
    [new DependencyUnavailableError('no database'), 503, 'service_unavailable'],
  ])("maps the use cases' %p to HTTP %i %s, with its message", (error, status, code) => {
    const res = errorResponse(error);
    expect(res.statusCode).toBe(status);
    expect(JSON.parse(res.body)).toEqual({ error: { code, message: error.message } });
  });

  it.each([
    new Error('relation "payments" does not exist at /var/task/index.mjs:1'),
    new GatewayTimeoutError('gateway payments timed out at /var/task/index.mjs:1'),
  ])('never leaks an unexpected error (%p)', (error) => {
    const res = errorResponse(error);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/payments|var\/task|relation|gateway/);
    expect(JSON.parse(res.body).error.code).toBe('internal_error');
  });
});

describe('routes', () => {
  it('serve exactly the api routes of the topology', () => {
    const api = topology.routes.filter((r) => r.function === 'api').map((r) => `${r.method} ${r.path}`);
    expect(Object.keys(routes).sort()).toEqual([...api].sort());
  });
});

describe('canonical hash', () => {
  it('ignores key order but not values', () => {
    expect(canonicalHash({ a: 1, b: { c: 2, d: [1, 2] } })).toBe(
      canonicalHash({ b: { d: [1, 2], c: 2 }, a: 1 }),
    );
    expect(canonicalHash({ a: 1 })).not.toBe(canonicalHash({ a: 2 }));
    expect(canonicalHash({ b: [1, 2] })).not.toBe(canonicalHash({ b: [2, 1] }));
  });
});
