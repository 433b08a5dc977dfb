import fc from 'fast-check';

// Hostile HTTP requests for every route of the API (and a few that do not exist), as fast-check
// arbitraries. Victim ids only go where a response would never echo them (paths, queries, user_id),
// so finding one in a response means another user's data leaked.

export interface FuzzRequest {
  /** Which route (or attack) the case aims at, for the summary. */
  target: string;
  method: string;
  /** Raw request target: already percent-encoded where it needs to be. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Set by the runner: the user the request's token names, when it is the valid one. */
  callerId?: string;
}

export interface FuzzContext {
  /** The attacker's valid token (most cases use it, so the handlers themselves get exercised). */
  token: string;
  attackerId: string;
  /** Tokens that must never authenticate. */
  badTokens: Record<string, string>;
  victimId: string;
  victimPaymentIds: readonly string[];
  /** The victim's processed notification events. */
  victimEventIds: readonly string[];
}

const injections = [
  "' OR '1'='1",
  "'; DROP TABLE payments; --",
  '1; SELECT pg_sleep(10)',
  "' UNION SELECT id, user_id FROM payments --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  `\${7*7}{{7*7}}`,
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%00',
  '\u0000',
  '\u202e\u0627\u0644\u0639\u0631\u0628\u064a\u0629',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👾',
  'null',
  'undefined',
  '[object Object]',
  '-1',
  '1e309',
  'NaN',
];

export const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...injections) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 300, max: 5000 }).map((n) => 'A'.repeat(n)) },
);

const anyJsonValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  hostileString,
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);

const amount = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 99_999_999 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      0,
      -1,
      -99_999_999,
      100_000_000,
      Number.MAX_SAFE_INTEGER,
      2 ** 63,
      1e308,
      0.5,
      10.01,
      -0,
      1e-7,
    ),
  },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: anyJsonValue },
);

const currency = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('USD', 'EUR', 'JPY', 'INR') },
  { weight: 2, arbitrary: fc.constantFrom('usd', 'XXX', 'BTC', 'US', 'USDD', 'EU R', '', '€', 'XAU') },
  { weight: 1, arbitrary: anyJsonValue },
);

function paymentBody(ctx: FuzzContext) {
  const field = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });
  return fc
    .record({
      amount: field(amount),
      currency: field(currency),
      description: field(fc.oneof(hostileString, anyJsonValue)),
      metadata: field(
        fc.oneof(
          fc.dictionary(hostileString, hostileString, { maxKeys: 25 }),
          anyJsonValue,
          fc.constant({ nested: { deeper: { deepest: 'x' } } }),
        ),
      ),
      user_id: fc.option(fc.oneof(fc.constant(ctx.victimId), fc.constant(ctx.attackerId), hostileString), {
        nil: undefined,
        freq: 3,
      }),
      extra: fc.option(
        fc.record({ key: fc.constantFrom('status', 'id', '__proto__', 'constructor'), value: anyJsonValue }),
        {
          nil: undefined,
          freq: 5,
        },
      ),
    })
    .map(({ extra, ...fields }) => {
      const body: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) body[k] = v;
      if (extra) Object.defineProperty(body, extra.key, { value: extra.value, enumerable: true });
      return Buffer.from(JSON.stringify(body));
    });
}

/** Well-formed payments carrying hostile text, so the write path and the database see it too. */
const plausiblePayment = fc
  .record({
    amount: fc.integer({ min: 1, max: 99_999_999 }),
    currency: fc.constantFrom('USD', 'EUR', 'JPY', 'GBP'),
    description: fc.option(hostileString, { nil: undefined }),
    metadata: fc.option(fc.dictionary(hostileString, hostileString, { maxKeys: 3 }), { nil: undefined }),
  })
  .map((body) => Buffer.from(JSON.stringify(body)));

const malformedJson = fc
  .oneof(
    fc.constantFrom(
      '',
      '{',
      '{"amount": 100, "currency": "USD"',
      "{'amount': 100}",
      '{"amount": 100,, "currency": "USD"}',
      'null',
      '[]',
      '"string"',
      '12',
      'true',
      '{"amount": 1e999999, "currency": "USD"}',
      '{"amount": 100, "currency": "USD", "amount": -5}',
      '\uFEFF{"amount": 100, "currency": "USD"}',
      '{"__proto__": {"admin": true}, "amount": 100, "currency": "USD"}',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
    ),
    fc.string({ maxLength: 200 }),
    fc.json(),
  )
  .map((s) => Buffer.from(s));

const oversizeBody = fc
  .integer({ min: 16 * 1024 + 1, max: 96 * 1024 })
  .map((n) => Buffer.from(JSON.stringify({ amount: 100, currency: 'USD', description: 'x'.repeat(n) })));

const binaryBody = fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a));

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'APPLICATION/JSON; charset=UTF-8',
      'application/json; charset=utf-16',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json, text/plain',
      '*/*',
      '',
    ),
  },
  { weight: 1, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const idempotencyKey = fc.oneof(
  { weight: 5, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a', 'k'.repeat(255), 'k'.repeat(256), 'k'.repeat(8000)) },
  { weight: 2, arbitrary: hostileString },
);

/** Query strings: known parameters with hostile values, unknown parameters, repeats. */
function query(names: readonly string[], values: fc.Arbitrary<string>) {
  return fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...names), hostileString), values), { maxLength: 4 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}` : ''));
}

/** Percent-encodes what a raw request line cannot carry; keeps `/`, `.` and `%` as they are sometimes. */
const encode = (s: string) => encodeURIComponent(s);

function pathId(ctx: FuzzContext) {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ctx.victimPaymentIds) },
    { weight: 1, arbitrary: fc.constant(ctx.victimId) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: hostileString.map(encode) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '..',
        '../payments',
        '..%2f..%2faccounts',
        '%2e%2e%2f%2e%2e%2f',
        '....//....//',
        `${ctx.victimPaymentIds[0]}%00`,
        `${ctx.victimPaymentIds[0]}/../${ctx.victimPaymentIds[1] ?? ''}`,
        `${ctx.victimPaymentIds[0]!.toUpperCase()}`,
        `%7B${ctx.victimPaymentIds[0]}%7D`,
        '%252e%252e%252f',
        ';',
        '*',
      ),
    },
  );
}

function auth(ctx: FuzzContext) {
  const bad = Object.values(ctx.badTokens);
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(`Bearer ${ctx.token}`) },
    { weight: 3, arbitrary: fc.constantFrom(...bad).map((t) => `Bearer ${t}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        ctx.token,
        `bearer ${ctx.token}`,
        `Bearer  ${ctx.token}`,
        `Basic ${Buffer.from('admin:admin').toString('base64')}`,
        'Bearer',
        'Bearer ',
        `Bearer ${ctx.token}x`,
        `Bearer ${'a'.repeat(9000)}`,
        `Bearer ${ctx.token.split('.').slice(0, 2).join('.')}.`,
      ),
    },
    { weight: 1, arbitrary: hostileString.map((s) => `Bearer ${s}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const methods = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS');

const extraHeaders = fc.dictionary(
  fc.constantFrom('x-correlation-id', 'x-forwarded-for', 'accept', 'x-user-id', 'origin', 'user-agent'),
  hostileString,
  { maxKeys: 2 },
);

function withHeaders(
  base: Record<string, string | undefined>,
  extra: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...extra, ...base })) if (v !== undefined) out[k] = v;
  return out;
}

const eventType = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('order.shipped', 'a', `a${'b'.repeat(63)}`, 'x_1.y_2') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      'Order.Shipped',
      '1abc',
      '.a',
      `a${'b'.repeat(64)}`,
      'a b',
      'a-b',
      'ａ',
      "a'; DROP TABLE processed_events; --",
    ),
  },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: anyJsonValue },
);

/** A value as query text: String() throws on a null-prototype object, which fc.dictionary may make. */
const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

const eventMessage = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  {
    weight: 2,
    arbitrary: fc.constantFrom('', 'é'.repeat(1000), '😀'.repeat(1000), 'x'.repeat(1001), 'a\u0000b'),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 990, maxLength: 1010 }) },
  { weight: 1, arbitrary: anyJsonValue },
);

const eventPayload = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.dictionary(hostileString, fc.oneof(hostileString, anyJsonValue), { maxKeys: 4 }),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      { email: 'ada@example.com' },
      { phone: '+447700900123' },
      { email: "x'@evil.com; --", phone: '0' },
      { nested: { deeper: ['\ud800', 1] } },
      { __proto__: { admin: true } },
    ),
  },
  // Around the 8 KiB limit, and well past it (still under the 16 KiB body limit).
  { weight: 2, arbitrary: fc.integer({ min: 8150, max: 14_000 }).map((n) => ({ blob: 'x'.repeat(n) })) },
  { weight: 1, arbitrary: anyJsonValue },
);

/** `POST /events` bodies: each field hostile or absent, sometimes someone else's user_id or an extra field. */
function eventBody(ctx: FuzzContext) {
  const field = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 5 });
  return fc
    .record({
      event_type: field(eventType),
      message: field(eventMessage),
      payload: field(eventPayload),
      user_id: fc.option(
        fc.oneof(
          fc.constant(ctx.victimId),
          fc.constant(ctx.attackerId),
          fc.constant(ctx.attackerId.toUpperCase()),
          hostileString,
        ),
        { nil: undefined, freq: 3 },
      ),
      extra: fc.option(fc.constantFrom('id', 'status', 'priority', '__proto__'), { nil: undefined, freq: 6 }),
    })
    .map(({ extra, ...fields }) => {
      const body: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) body[k] = v;
      if (extra) Object.defineProperty(body, extra, { value: 'x', enumerable: true });
      return Buffer.from(JSON.stringify(body));
    });
}

/** Well-formed events carrying hostile text, so the bus, the worker and the database see it too. */
const plausibleEvent = fc
  .record({
    event_type: fc.stringMatching(/^[a-z][a-z0-9_.]{0,20}$/),
    message: fc.oneof(hostileString, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 })),
    payload: fc.option(fc.dictionary(hostileString, hostileString, { maxKeys: 3 }), { nil: undefined }),
  })
  .map((body) => Buffer.from(JSON.stringify(body)));

function eventId(ctx: FuzzContext) {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ctx.victimEventIds) },
    { weight: 2, arbitrary: pathId(ctx) },
  );
}

export function fuzzRequest(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const a = auth(ctx);
  // A keyed POST: well-formed bodies of the route, plausible ones, and hostile bytes.
  const keyedPost = (path: string, wellFormed: fc.Arbitrary<Buffer>, plausible: fc.Arbitrary<Buffer>) =>
    fc
      .record({
        authorization: a,
        key: idempotencyKey,
        type: contentType,
        body: fc.oneof(
          { weight: 4, arbitrary: wellFormed },
          { weight: 3, arbitrary: plausible },
          { weight: 2, arbitrary: malformedJson },
          { weight: 1, arbitrary: oversizeBody },
          { weight: 1, arbitrary: binaryBody },
        ),
        extra: extraHeaders,
      })
      .map(
        ({ authorization, key, type, body, extra }): FuzzRequest => ({
          target: `POST ${path}`,
          method: 'POST',
          path,
          headers: withHeaders({ authorization, 'idempotency-key': key, 'content-type': type }, extra),
          body,
        }),
      );
  const createPayment = keyedPost('/payments', paymentBody(ctx), plausiblePayment);
  const get = (target: string, path: fc.Arbitrary<string>) =>
    fc.record({ authorization: a, path, extra: extraHeaders }).map(
      ({ authorization, path, extra }): FuzzRequest => ({
        target,
        method: 'GET',
        path,
        headers: withHeaders({ authorization }, extra),
      }),
    );
  const statuses = fc.oneof(
    fc.constantFrom(
      'PENDING',
      'SUCCEEDED',
      'FAILED',
      'pending',
      '2026-01-01T00:00:00Z',
      '0',
      '101',
      '-1',
      '1.5',
    ),
    hostileString,
  );
  const requestEvent = keyedPost('/events', eventBody(ctx), plausibleEvent);
  return fc.oneof(
    { weight: 8, arbitrary: createPayment },
    { weight: 5, arbitrary: requestEvent },
    {
      weight: 2,
      arbitrary: get(
        'GET /events',
        query(
          ['event_type', 'from', 'to', 'limit', 'cursor', 'user_id'],
          fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_.]{0,10}$/), eventType.map(asText), statuses),
        ).map((q) => `/events${q}`),
      ),
    },
    {
      weight: 2,
      arbitrary: get(
        'GET /events/{id}',
        eventId(ctx).map((id) => `/events/${id}`),
      ),
    },
    {
      weight: 3,
      arbitrary: get(
        'GET /payments',
        query(['status', 'from', 'to', 'limit', 'cursor', 'user_id'], statuses).map((q) => `/payments${q}`),
      ),
    },
    {
      // The risk_level filter (issue 15): the levels, near misses, and anything else.
      weight: 1,
      arbitrary: get(
        'GET /payments',
        query(
          ['risk_level', 'status', 'limit'],
          fc.oneof(fc.constantFrom('normal', 'elevated', 'highest', 'HIGHEST', 'block', ''), statuses),
        ).map((q) => `/payments${q}`),
      ),
    },
    {
      weight: 3,
      arbitrary: get(
        'GET /payments/{id}',
        pathId(ctx).map((id) => `/payments/${id}`),
      ),
    },
    {
      weight: 2,
      arbitrary: get(
        'GET /notifications',
        query(
          ['payment_id', 'user_id', 'event_id', 'limit', 'cursor'],
          fc.oneof(
            fc.constantFrom(...ctx.victimPaymentIds),
            fc.constantFrom(...ctx.victimEventIds),
            statuses,
            hostileString,
          ),
        ).map((q) => `/notifications${q}`),
      ),
    },
    {
      weight: 2,
      arbitrary: get(
        'GET /accounts/{user_id}/balance',
        fc
          .oneof(fc.constant(ctx.victimId), fc.constant(ctx.attackerId), pathId(ctx))
          .map((id) => `/accounts/${id}/balance`),
      ),
    },
    {
      weight: 1,
      arbitrary: get(
        'GET /health',
        query(['deep', 'verbose'], hostileString).map((q) => `/health${q}`),
      ),
    },
    {
      weight: 1,
      arbitrary: get(
        'GET /openapi.json',
        query(['format', 'v'], hostileString).map((q) => `/openapi.json${q}`),
      ),
    },
    {
      weight: 1,
      arbitrary: get(
        'GET /docs',
        query(['url', 'configUrl'], hostileString).map((q) => `/docs${q}`),
      ),
    },
    {
      weight: 1,
      arbitrary: get(
        'GET /docs/{asset}',
        fc
          .oneof(
            fc.constantFrom(
              'swagger-ui-bundle.js',
              'swagger-ui.css',
              'init.js',
              'index.html',
              '..%2Fpackage.json',
            ),
            hostileString.filter((s) => s.length > 0).map(encodeURIComponent),
          )
          .map((asset) => `/docs/${asset}`),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({
          method: methods,
          path: fc.oneof(
            fc.constantFrom(
              '/payments',
              '/health',
              '/notifications',
              '/',
              '/admin',
              '/payments/',
              '//payments',
              '/payments/../accounts',
              '/%2e%2e/%2e%2e/etc/passwd',
            ),
            pathId(ctx).map((id) => `/${id}`),
          ),
          authorization: a,
          body: fc.option(malformedJson, { nil: undefined }),
        })
        .map(
          ({ method, path, authorization, body }): FuzzRequest => ({
            target: 'other method or path',
            method,
            path,
            headers: withHeaders({ authorization, 'content-type': 'application/json' }, {}),
            body: method === 'GET' || method === 'HEAD' ? undefined : body,
          }),
        ),
    },
  );
}
