import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../lambdas/shared/adapters/postgres/database';
import { toEnvelope } from '../lambdas/shared/events/envelope';
import { notificationRequestedEvent } from '../lambdas/shared/events/notification-requested';
import { names } from '../lib/names';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../local/aws-identity';
import { launchChromium } from '../local/console/chromium';
import { QueueStore } from '../local/queue-store';
import { startRuntime } from '../local/runtime';
import { parseCli } from '../scripts/cli';

// `npm run screenshots`: the README's pictures of the console and /docs (docs/console.png,
// docs/api-docs.png), taken in Debian's Chromium from a fresh local runtime with some traffic.

parseCli({
  command: 'npm run screenshots --',
  usage: `Usage: npm run screenshots

Starts the platform in a temporary data directory, makes payments, events and one dead-lettered message,
waits for them to settle and for the analytics run, then writes docs/console.png and docs/api-docs.png.
Needs /usr/bin/chromium (or CHROMIUM_PATH).`,
  options: {},
});

const OUT = resolve(import.meta.dirname, '..', 'docs');
const DEADLINE_MS = 120_000;

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const dataDir = await mkdtemp(join(tmpdir(), 'payments-screenshots-'));
const runtime = await startRuntime({ dataDir, port: 0, log: () => {} });
const chromium = await launchChromium();
try {
  const base = runtime.baseUrl;
  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as { id: string; status: string };
  };
  const signToken = async () =>
    (
      (await (
        await fetch(`${base}/local/console/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).json()) as { token: string }
    ).token;

  const payments: { token: string; id: string }[] = [];
  const orders = [
    [4999, 'USD', 'Annual plan'],
    [1250, 'EUR', 'Coffee beans'],
    [8900, 'USD', 'Headphones'],
    [2013, 'USD', 'Declined by the gateway (amount ends in 13)'],
    [350, 'GBP', 'Bus ticket'],
    [15000, 'EUR', 'Conference pass'],
    [799, 'USD', 'E-book'],
  ] as const;
  for (const [i, [amount, currency, description]] of orders.entries()) {
    const token = await signToken();
    const created = await api(token, 'POST', '/payments', { amount, currency, description });
    payments.push({ token, id: created.id });
    if (i % 3 === 0)
      await api(token, 'POST', '/events', {
        event_type: 'order.shipped',
        message: `Order ${i + 1} has shipped.`,
      });
  }
  // One message the notification worker gave up on, to show a DLQ with its redrive button.
  const db = openDatabase(runtime.databaseUrl, { max: 1 });
  const event = notificationRequestedEvent({
    event_id: randomUUID(),
    event_version: 1,
    occurred_at: new Date().toISOString(),
    correlation_id: randomUUID(),
    user_id: 'user-with-a-dead-letter',
    event_type: 'account.updated',
    message: 'Your account was updated.',
    payload: {},
  });
  const envelope = toEnvelope({ id: randomUUID(), ...event, account: LOCAL_ACCOUNT, region: LOCAL_REGION });
  await new QueueStore(db).send(names.deadLetterQueue('notificationRequests'), [JSON.stringify(envelope)]);
  await db.end({ timeout: 2 });

  for (const p of payments)
    await until(
      `payment ${p.id}`,
      () => api(p.token, 'GET', `/payments/${p.id}`),
      (x) => x.status !== 'PENDING',
    );
  // The analytics run takes payments 45 s after they settle (LOCAL_ANALYTICS_SAFE_LAG_SECONDS).
  await until(
    'the analytics chart',
    async () => (await (await fetch(`${base}/local/console/state`)).json()) as { analytics: unknown[] },
    (s) => s.analytics.length > 0,
  );

  const page = await chromium.context.newPage();
  await page.goto(`${base}/?payment=${payments[0]!.id}`);
  await page.locator('#timeline [data-timeline-status]').waitFor();
  await page.locator('#token-user').filter({ hasText: /\S/ }).waitFor({ state: 'attached' });
  await page.screenshot({ path: join(OUT, 'console.png'), fullPage: true });
  await page.goto(`${base}/docs`);
  await page.locator('.opblock').first().waitFor();
  await page.screenshot({ path: join(OUT, 'api-docs.png') });
  process.stdout.write(`Wrote ${join(OUT, 'console.png')} and ${join(OUT, 'api-docs.png')}\n`);
} finally {
  await chromium.close();
  await runtime.stop();
  await rm(dataDir, { recursive: true, force: true });
}
