import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { type Database, openDatabase } from '../../lambdas/shared/adapters/postgres/database';
import { bearerToken } from '../../lambdas/shared/auth/bearer';
import { signDevToken } from '../../lambdas/shared/auth/dev-token';
import { loadConfig, tokenConfigSchema } from '../../lambdas/shared/config';
import { PaymentCreated } from '../../lambdas/shared/events';
import { startRestartableRuntime } from '../chaos/restartable-runtime';
import { type FuzzContext, type FuzzRequest, fuzzRequest } from './arbitraries';

// `npm run fuzz`: property-based HTTP fuzzing of every route, through the real local runtime
// (authorizer included). A case fails on a 5xx, an error not in the error shape, a row written by
// a rejected request, or any trace of another user's data in the answer.

export interface FuzzOptions {
  runs: number;
  seed: number;
  progress?: (line: string) => void;
}

export interface FuzzSummary {
  ok: boolean;
  cases: number;
  seed: number;
  seconds: number;
  statuses: Record<string, number>;
  targets: Record<string, number>;
  /** fast-check's report of the first failing case (shrunk), when one failed. */
  failure?: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const ERROR_KEYS = new Set(['code', 'message', 'details']);
/** What an error message must never carry: stack frames, SQL, internal names. */
const INTERNALS =
  /\bat \S+ \(|node_modules|\.ts:\d+|\b(SELECT|INSERT|UPDATE)\b .*\b(FROM|INTO|SET)\b|postgres|ZodError/i;

/** Header values as raw bytes on the wire: UTF-8, minus what HTTP cannot carry (CR, LF, NUL...). */
function wire(value: string): string {
  return Buffer.from(value, 'utf8')
    .toString('latin1')
    .split('')
    .filter((c) => c === '\t' || (c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f))
    .join('');
}

function send(baseUrl: string, agent: Agent, req: FuzzRequest): Promise<Answer> {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = wire(v);
  if (req.body) headers['content-length'] = String(req.body.length);
  return new Promise((resolve, reject) => {
    const r = request(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    r.setTimeout(30_000, () => r.destroy(new Error('request timed out')));
    r.on('error', reject);
    r.end(req.body);
  });
}

/** The caller's own strings (path, query, body keys and values), which an error may quote back. */
function echoes(req: FuzzRequest): string[] {
  const out: string[] = [];
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  for (const part of req.path.split(/[/?&=]/)) out.push(decode(part));
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        out.push(k);
        walk(x);
      }
    }
  };
  try {
    walk(JSON.parse(req.body?.toString('utf8') ?? 'null'));
  } catch {
    // not JSON: nothing to quote back
  }
  return out.filter((s) => s.length >= 3).flatMap((s) => [JSON.stringify(s).slice(1, -1), s]);
}

function withoutEcho(body: string, req: FuzzRequest): string {
  let rest = body;
  for (const s of echoes(req).sort((a, b) => b.length - a.length)) rest = rest.split(s).join('');
  return rest;
}

/** The problem with an answer, or undefined when it is acceptable. */
export function judge(req: FuzzRequest, answer: Answer, secrets: readonly string[]): string | undefined {
  if (answer.status >= 500) return `server error ${answer.status}: ${answer.body.slice(0, 300)}`;
  const everything = `${JSON.stringify(answer.headers)}${answer.body}`;
  const leaked = secrets.find((s) => everything.includes(s));
  if (leaked) return `another user's data in the answer (${leaked})`;
  // A rate limit's 429 is a valid answer (README, "Rate limits"): WAF's, which cannot echo a correlation
  // id, but must say when to come back.
  // A HEAD answer has no body to carry the code: its status says it.
  const rateLimited =
    answer.status === 429 && (req.method === 'HEAD' || answer.body.includes('"rate_limited"'));
  if (rateLimited && !/^\d+$/.test(String(answer.headers['retry-after']))) return '429 without Retry-After';
  // Every other answer, the gateway's own included (README, "The API").
  if (!rateLimited && !answer.headers['x-correlation-id']) return `no X-Correlation-Id (${answer.status})`;
  if (req.method === 'HEAD') return undefined;
  // The API reference page and its files (GET /docs) are the only successes that are not JSON.
  if (answer.status < 400 && /^text\/(html|javascript|css)/.test(String(answer.headers['content-type']))) {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    return `not JSON (${answer.status}): ${answer.body.slice(0, 200)}`;
  }
  if (answer.status >= 400) {
    const top = json as { error?: Record<string, unknown> };
    const e = top?.error;
    const shaped =
      typeof top === 'object' &&
      top !== null &&
      Object.keys(top).length === 1 &&
      typeof e === 'object' &&
      e !== null &&
      typeof e.code === 'string' &&
      /^[a-z_]+$/.test(e.code) &&
      typeof e.message === 'string' &&
      Object.keys(e).every((k) => ERROR_KEYS.has(k)) &&
      (e.details === undefined || Array.isArray(e.details));
    if (!shaped) return `error not in the error shape (${answer.status}): ${answer.body.slice(0, 300)}`;
    if (INTERNALS.test(withoutEcho(answer.body, req))) {
      return `error leaks internals: ${answer.body.slice(0, 300)}`;
    }
  }
  if (answer.status === 200 && /^\/accounts\/[^/]+\/balance/.test(req.path)) {
    // Only the caller's own balance may be read.
    const requested = decodeURIComponent(req.path.split('/')[2] ?? '');
    if (requested !== req.callerId) return `balance of ${requested} served to ${req.callerId}`;
  }
  return undefined;
}

async function rowCounts(db: Database) {
  const [row] = await db<{ payments: number; keys: number; created: number }[]>`
    SELECT (SELECT count(*) FROM payments)::int AS payments,
           (SELECT count(*) FROM idempotency_keys)::int AS keys,
           (SELECT count(*) FROM outbox WHERE detail_type = ${PaymentCreated.detailType})::int AS created`;
  return row!;
}

async function tokens(secret: string, attackerId: string) {
  const config = loadConfig(tokenConfigSchema, { JWT_SECRET: 'x'.repeat(32) });
  const key = new TextEncoder().encode(secret);
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>, k = key, alg = 'HS256') =>
    new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(k);
  const base = { sub: attackerId, iss: config.JWT_ISSUER, aud: config.JWT_AUDIENCE, iat: now };
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const valid = await sign({ ...base, exp: now + 6 * 3600 });
  const [header, payload] = valid.split('.');
  return {
    valid,
    bad: {
      expired: await sign({ ...base, iat: now - 7200, exp: now - 3600 }),
      forged: await sign({ ...base, exp: now + 3600 }, new TextEncoder().encode(randomUUID() + randomUUID())),
      algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      algNoneSigned: `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.${valid.split('.')[2]}`,
      algRs256: `${b64({ alg: 'RS256', typ: 'JWT' })}.${payload}.${valid.split('.')[2]}`,
      wrongIssuer: await sign({ ...base, iss: 'evil', exp: now + 3600 }),
      wrongAudience: await sign({ ...base, aud: 'other-api', exp: now + 3600 }),
      noSubject: await sign({ iss: base.iss, aud: base.aud, iat: now, exp: now + 3600 }),
      noExpiry: await sign(base),
      victimSubjectForged: await sign(
        { ...base, sub: 'victim', exp: now + 3600 },
        new TextEncoder().encode('x'.repeat(32)),
      ),
      tamperedPayload: `${header}.${b64({ ...base, sub: 'someone-else', exp: now + 3600 })}.${valid.split('.')[2]}`,
      garbage: 'not.a.jwt',
    },
  };
}

/**
 * `POST /events` writes nothing itself; the worker processes what the bus accepted. So: every 202 id is
 * processed (within a deadline) and nothing else is, i.e. no rejected request ever reached the worker.
 */
async function processedEventsProblem(
  db: Database,
  userId: string,
  accepted: ReadonlySet<string>,
): Promise<string | undefined> {
  const deadline = Date.now() + 60_000;
  let processed: string[] = [];
  for (;;) {
    processed = (await db<{ id: string }[]>`SELECT id FROM processed_events WHERE user_id = ${userId}`).map(
      (r) => r.id,
    );
    if (processed.length >= accepted.size || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const unexpected = processed.filter((id) => !accepted.has(id));
  const missing = [...accepted].filter((id) => !processed.includes(id));
  if (unexpected.length === 0 && missing.length === 0) return undefined;
  return `POST /events: ${accepted.size} accepted, ${processed.length} processed; not accepted but processed: ${unexpected.slice(0, 3).join(', ')}; accepted, not processed: ${missing.slice(0, 3).join(', ')}`;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const started = Date.now();
  const progress = options.progress ?? (() => {});
  // Without the local console (GET /): the fuzz judges every answer as the deployed API's, and the
  // console shows every user's payments by design (docs/architecture.md, "Local console").
  const runtime = await startRestartableRuntime({ env: { LOCAL_CONSOLE: 'off' } });
  const db = openDatabase(runtime.databaseUrl, { max: 2 });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const statuses: Record<string, number> = {};
  const targets: Record<string, number> = {};
  let cases = 0;
  try {
    // The victim: a user with payments (and their notifications) the attacker must never see.
    const config = loadConfig(tokenConfigSchema, { JWT_SECRET: 'x'.repeat(32) });
    const victimId = `victim-${randomUUID()}`;
    const victimToken = await signDevToken({
      userId: victimId,
      secret: runtime.jwtSecret,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
    const marker = `victim-secret-${randomUUID()}`;
    const victimPaymentIds: string[] = [];
    for (const amount of [1999, 2013, 4500]) {
      const res = await fetch(`${runtime.baseUrl}/payments`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${victimToken}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ amount, currency: 'EUR', description: marker, metadata: { note: marker } }),
      });
      if (res.status !== 201) throw new Error(`seeding the victim failed: ${res.status} ${await res.text()}`);
      victimPaymentIds.push(((await res.json()) as { id: string }).id);
    }
    // ... and notification events (each notified by email and SMS).
    const victimEventIds: string[] = [];
    for (const eventType of ['account.login', 'order.shipped']) {
      const res = await fetch(`${runtime.baseUrl}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${victimToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ event_type: eventType, message: marker, payload: { note: marker } }),
      });
      if (res.status !== 202) throw new Error(`seeding the victim failed: ${res.status} ${await res.text()}`);
      victimEventIds.push(((await res.json()) as { id: string }).id);
    }
    const attackerId = `attacker-${randomUUID()}`;
    const t = await tokens(runtime.jwtSecret, attackerId);
    const ctx: FuzzContext = {
      token: t.valid,
      attackerId,
      badTokens: t.bad,
      victimId,
      victimPaymentIds,
      victimEventIds,
    };
    // Once the victim's notifications exist, their ids are secrets too.
    const deadline = Date.now() + 30_000;
    let victimNotificationIds: string[] = [];
    while (victimNotificationIds.length < 10 && Date.now() < deadline) {
      victimNotificationIds = (
        await db<{ id: string }[]>`
        SELECT id FROM notifications WHERE user_id = ${victimId}`
      ).map((r) => r.id);
      await new Promise((r) => setTimeout(r, 200));
    }
    const secrets = [marker, ...victimPaymentIds, ...victimEventIds, ...victimNotificationIds];
    /** The event ids `POST /events` answered 202 with: exactly these may end up processed. */
    const acceptedEventIds = new Set<string>();

    const property = fc.asyncProperty(fuzzRequest(ctx), async (req) => {
      // Whom the authorizer takes the caller for: its own rule (any case of the scheme, 1+ spaces).
      const callerId = bearerToken(req.headers.authorization) === t.valid ? attackerId : undefined;
      const before = await rowCounts(db);
      const answer = await send(runtime.baseUrl, agent, { ...req, callerId });
      const after = await rowCounts(db);
      cases += 1;
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      targets[req.target] = (targets[req.target] ?? 0) + 1;
      if (cases % 1000 === 0) {
        progress(`[fuzz] ${cases} cases, ${Math.round((Date.now() - started) / 1000)} s`);
      }
      const problem = judge({ ...req, callerId }, answer, secrets);
      if (problem) throw new Error(`${req.method} ${req.path.slice(0, 200)}: ${problem}`);
      if (req.target === 'POST /events' && answer.status === 202) {
        acceptedEventIds.add((JSON.parse(answer.body) as { id: string }).id);
      }
      const created = answer.status === 201 && answer.headers['idempotent-replayed'] !== 'true' ? 1 : 0;
      const grew = {
        payments: after.payments - before.payments,
        keys: after.keys - before.keys,
        created: after.created - before.created,
      };
      if (grew.payments !== created || grew.keys !== created || grew.created !== created) {
        throw new Error(
          `${req.method} ${req.path.slice(0, 200)} answered ${answer.status} but wrote ${JSON.stringify(grew)}`,
        );
      }
    });
    // Two fixed cases first, past the HTTP layer's own limits: an 11 MB body (413) and 32 KB of
    // headers (431); both must still answer in the error shape.
    const base = { target: 'POST /payments', method: 'POST', path: '/payments' };
    const headers = { 'content-type': 'application/json', 'idempotency-key': randomUUID() };
    const fixed: [string, FuzzRequest][] = [
      [
        '11 MB body',
        {
          ...base,
          headers: { ...headers, authorization: `Bearer ${t.valid}` },
          body: Buffer.alloc(11 << 20, 'x'),
        },
      ],
      [
        '32 KB of headers',
        { ...base, headers: { ...headers, authorization: `Bearer ${'a'.repeat(32 << 10)}` } },
      ],
    ];
    let fixedProblem: string | undefined;
    for (const [name, req] of fixed) {
      const answer = await send(runtime.baseUrl, agent, req).catch((e: Error) => ({
        status: 0,
        headers: {},
        body: e.message,
      }));
      cases += 1;
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      targets[req.target] = (targets[req.target] ?? 0) + 1;
      const problem = answer.status === 0 ? `no answer: ${answer.body}` : judge(req, answer, secrets);
      fixedProblem ??= problem && `${name}: ${problem}`;
    }

    const result = await fc.check(property, { numRuns: options.runs - fixed.length, seed: options.seed });
    const eventsProblem = await processedEventsProblem(db, attackerId, acceptedEventIds);
    const failure = fixedProblem
      ? fixedProblem
      : eventsProblem
        ? eventsProblem
        : result.failed
          ? `${String(result.errorInstance)}\n${(fc.defaultReportMessage(result) ?? '')
              .split('\n')
              .map((line) => (line.length > 2000 ? `${line.slice(0, 2000)}... (cut)` : line))
              .join('\n')}`
          : undefined;
    return {
      ok: !failure,
      cases,
      seed: options.seed,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      statuses,
      targets,
      ...(failure ? { failure } : {}),
    };
  } finally {
    agent.destroy();
    await db.end({ timeout: 2 });
    await runtime.close();
  }
}
