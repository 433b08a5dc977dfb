import { randomUUID } from 'node:crypto';
import autocannon, { type RequestSpec } from 'autocannon';
import type { LoadRound } from './ceiling';

// (2) and (3): the API over HTTP with autocannon, through the gateway emulation and the real authorizer.

export const PAYMENT_BODY = JSON.stringify({ amount: 4999, currency: 'EUR', description: 'bench' });

export interface HttpRound extends LoadRound {
  non2xx: number;
}

/** One token per connection (a user each), handed out as connections make their first request. */
function tokenPerConnection(tokens: readonly string[]) {
  let next = 0;
  return (context: Record<string, unknown>): string => {
    context.token ??= tokens[next++ % tokens.length];
    return context.token as string;
  };
}

async function run(
  baseUrl: string,
  connections: number,
  load: { durationS?: number; amount?: number },
  request: RequestSpec,
): Promise<HttpRound> {
  const result = await autocannon({
    url: baseUrl,
    connections,
    ...(load.amount !== undefined ? { amount: load.amount } : { duration: load.durationS }),
    timeout: 30,
    requests: [request],
  });
  const ok = result['2xx'];
  return {
    requestsPerSecond: ok / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: ok,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** POST /payments with a new Idempotency-Key on every request. */
export function createRound(
  baseUrl: string,
  tokens: readonly string[],
  connections: number,
  load: { durationS?: number; amount?: number },
): Promise<HttpRound> {
  const tokenOf = tokenPerConnection(tokens);
  return run(baseUrl, connections, load, {
    method: 'POST',
    path: '/payments',
    body: PAYMENT_BODY,
    setupRequest: (req, context) => ({
      ...req,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${tokenOf(context)}`,
        'idempotency-key': randomUUID(),
      },
    }),
  });
}

/** The same request again and again: POST replays (same key, same body) or GET /payments/{id}. */
export function repeatRound(
  baseUrl: string,
  connections: number,
  durationS: number,
  request: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string },
): Promise<HttpRound> {
  return run(baseUrl, connections, { durationS }, request);
}
