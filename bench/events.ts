import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import type { Database } from '../lambdas/shared/adapters/postgres/database';
import type { HttpRound } from './http-load';
import { percentile } from './stats';

// (7) notification events: POST /events over HTTP (each request a new Idempotency-Key, so a new event),
// then accept -> processed per event of the round, read from processed_events (the bench only reads).

export const EVENT_BODY = JSON.stringify({
  event_type: 'bench.event',
  message: 'Benchmark notification',
  payload: { n: 1 },
});

export interface EventsRound {
  http: HttpRound;
  /** accepted_at (the API's clock, just before PutEvents) -> processed_at (the worker's insert). */
  lagP50Ms: number;
  lagP99Ms: number;
  processed: number;
}

function userIdOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;
}

/** One round: `connections` connections for `durationS`, then waits until every 202 is processed. */
export async function eventsRound(
  db: Database,
  baseUrl: string,
  tokens: readonly string[],
  connections: number,
  durationS: number,
  timeoutMs = 120_000,
): Promise<EventsRound> {
  let next = 0;
  const from = new Date();
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: durationS,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/events',
        body: EVENT_BODY,
        setupRequest: (req, context: Record<string, unknown>) => {
          context.token ??= tokens[next++ % tokens.length];
          return {
            ...req,
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${context.token as string}`,
              'idempotency-key': randomUUID(),
            },
          };
        },
      },
    ],
  });
  const accepted = result['2xx'];
  const users = tokens.map(userIdOf);
  const deadline = Date.now() + timeoutMs;
  let rows: { ms: number }[] = [];
  for (;;) {
    rows = await db<{ ms: number }[]>`
      SELECT (extract(epoch FROM processed_at - accepted_at) * 1000)::float8 AS ms
      FROM processed_events WHERE user_id = ANY(${users}) AND accepted_at >= ${from}`;
    if (rows.length >= accepted) break;
    if (Date.now() > deadline) throw new Error(`events not processed: ${rows.length}/${accepted}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const ms = rows.map((r) => r.ms);
  return {
    http: {
      requestsPerSecond: accepted / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      requests: accepted,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
    },
    lagP50Ms: percentile(ms, 50),
    lagP99Ms: percentile(ms, 99),
    processed: rows.length,
  };
}
