import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { apiDeps, createApiHandler } from '../../lambdas/api/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { apiEvent, lambdaContext, testResources } from '../support/factories';

let t: TestDatabase;
let handler: ReturnType<typeof createApiHandler>;

beforeAll(async () => {
  t = await createTestDatabase();
  const resources = testResources(t.db);
  handler = createApiHandler(async () => apiDeps(await resources()));
});
afterAll(() => t.drop());

const hostileStrings = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom(
    "'; DROP TABLE payments; --",
    '<script>alert(1)</script>',
    '../../etc/passwd',
    '\u0000',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  ),
);
const amounts = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1e308, Number.MAX_SAFE_INTEGER, 100_000_000, 1.5),
  hostileStrings,
);
// Well-formed payments carrying hostile text, so the database path is exercised too.
const plausiblePayments = fc
  .record({
    amount: fc.integer({ min: 1, max: 99_999_999 }),
    currency: fc.constantFrom('USD', 'EUR', 'JPY'),
    description: hostileStrings,
    metadata: fc.dictionary(hostileStrings, hostileStrings, { maxKeys: 3 }),
  })
  .map((o) => JSON.stringify(o));
const bodies = fc.oneof(
  plausiblePayments,
  hostileStrings,
  fc.json(),
  fc
    .record(
      {
        amount: amounts,
        currency: fc.oneof(fc.constantFrom('USD', 'usd', 'XXX', 'EURO', ''), hostileStrings),
        user_id: hostileStrings,
        description: hostileStrings,
        metadata: fc.oneof(fc.dictionary(hostileStrings, fc.anything()), fc.anything()),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
);
const contentTypes = fc.constantFrom(
  'application/json',
  'text/plain',
  'application/json; charset=latin1',
  '',
  'multipart/form-data',
);
const keys = fc.option(fc.oneof(hostileStrings, fc.string({ minLength: 250, maxLength: 400 })), {
  nil: undefined,
});
// Half the cases are well-formed requests (JSON, a fresh key) carrying hostile text, so the database
// path is exercised on every run, not only the validators; the other half are hostile throughout.
const requests = fc.oneof(
  fc.record({ body: plausiblePayments, contentType: fc.constant('application/json'), key: fc.uuid() }),
  fc.record({ body: bodies, contentType: contentTypes, key: keys }),
);

describe('POST /payments under hostile input', () => {
  it('never answers 5xx, always in the error shape, and writes a row only for what it accepted', async () => {
    const user = `fuzz-${randomUUID()}`;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(requests, async ({ body, contentType, key }) => {
        const headers: Record<string, string> = { 'Content-Type': contentType };
        if (key !== undefined) headers['Idempotency-Key'] = key;
        const res = (await handler(
          apiEvent({ method: 'POST', resource: '/payments', userId: user, headers, body }),
          lambdaContext(),
        )) as APIGatewayProxyResult;
        expect(res.statusCode).toBeLessThan(500);
        const parsed = JSON.parse(res.body);
        if (res.statusCode >= 400) {
          expect(typeof parsed.error.code).toBe('string');
          expect(typeof parsed.error.message).toBe('string');
          expect(res.body).not.toMatch(/at .+\.(ts|js):\d+|postgres|SELECT|INSERT/i);
        } else if (res.headers?.['Idempotent-Replayed'] !== 'true') {
          accepted++;
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 400) },
    );
    const [row] = await t.db<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM payments WHERE user_id = ${user}`;
    expect(row?.n).toBe(accepted);
    expect(accepted).toBeGreaterThan(0); // the database path was exercised, not only the validators
  }, 120_000);
});
