import { randomUUID } from 'node:crypto';
import { localRuntimeForFile } from '../support/local-runtime-process';

// The WAF rate rules as the local gateway enforces them (docs/architecture.md, "Rate limits"): a short
// window (RATE_LIMIT_WINDOW_SECONDS) so that the window's end comes soon; polled for, never slept on.

const LIMIT = 3;
const WINDOW_SECONDS = 4;

describe('rate limits at the local gateway', () => {
  const runtime = localRuntimeForFile({
    env: {
      RATE_LIMIT_PER_TOKEN_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_PER_IP_PER_MINUTE: '0',
      RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
    },
  });
  const get = (path: string, token: string) =>
    fetch(`${runtime().baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('refuses a token past its limit with 429 rate_limited and Retry-After; not another token; again after the window', async () => {
    const token = await runtime().token();
    // All at once: each is counted on arrival, within one window whatever the machine's speed.
    const answers = await Promise.all(Array.from({ length: LIMIT + 1 }, () => get('/payments', token)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(200), 429]);

    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.headers.get('content-type')).toMatch(/application\/json/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(await refused.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });

    // Another token has its own count.
    expect((await get('/payments', await runtime().token())).status).toBe(200);
    // The public health probe is outside the per-token rule (the WAF rule's scope-down).
    expect((await get('/health', token)).status).toBe(200);

    // Once the window has ended the token passes again.
    const deadline = Date.now() + 30_000;
    let status = 429;
    while (status === 429 && Date.now() < deadline) {
      const answer = await get('/payments', token);
      status = answer.status;
      await answer.arrayBuffer();
      if (status === 429) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });

  it('refuses a POST past the limit before it reaches the API: nothing is written', async () => {
    const token = await runtime().token();
    const post = () =>
      fetch(`${runtime().baseUrl}/payments`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ amount: 1200, currency: 'EUR', description: 'rate limited' }),
      });
    const answers = await Promise.all(Array.from({ length: LIMIT + 2 }, () => post()));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    // The caller's own list shows only the accepted ones (read once the window has ended).
    const deadline = Date.now() + 30_000;
    let listed: Response;
    do {
      listed = await get('/payments', token);
      if (listed.status === 429) await new Promise((r) => setTimeout(r, 250));
    } while (listed.status === 429 && Date.now() < deadline);
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { data: unknown[] }).data).toHaveLength(LIMIT);
  });
});
