import { randomUUID } from 'node:crypto';
import { deadLetterNotificationRequest } from '../support/dead-letters';
import { localRuntimeForFile } from '../support/local-runtime-process';
import { PaymentsClient, subjectOf } from './client';

// The local console's JSON endpoints and actions over real HTTP (docs/architecture.md, "Local console").

interface ConsoleState {
  payments: { id: string; status: string; riskLevel: string | null; amount: number }[];
  queues: { name: string; visible: number }[];
  deadLetterQueues: { queue: string; depth: number; oldestAgeSeconds: number | null; samples: unknown[] }[];
  outbox: { unpublished: number };
  notifications: { paymentId: string | null; channel: string }[];
  events: { id: string }[];
}

describe('local console (local runtime)', () => {
  const runtime = localRuntimeForFile();
  const get = async <T>(path: string) => {
    const res = await fetch(`${runtime().baseUrl}${path}`);
    return { status: res.status, headers: res.headers, json: (await res.json()) as T };
  };
  const post = (path: string, contentType = 'application/json') =>
    fetch(`${runtime().baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: '{}',
    });
  const state = async () => (await get<ConsoleState>('/local/console/state')).json;

  it('serves the page at GET /, with every section', async () => {
    const res = await fetch(`${runtime().baseUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await res.text();
    for (const id of ['payments', 'timeline', 'queues', 'outbox', 'notifications', 'events', 'analytics'])
      expect(page).toContain(`<div id="${id}">`);
  });

  it('signs a dev token the API accepts; the payment made with it shows with its risk and timeline', async () => {
    expect((await post('/local/console/token', 'text/plain')).status).toBe(415);
    const signed = (await (await post('/local/console/token')).json()) as { token: string; userId: string };
    expect(subjectOf(signed.token)).toBe(signed.userId);
    const client = new PaymentsClient(runtime().baseUrl, signed.token);
    const created = await client.createPayment({ amount: 4321, currency: 'USD', description: '<b>bold</b>' });
    expect(created.status).toBe(201);
    const id = created.json.id;

    const seen = await client.eventually(state, (s) =>
      s.payments.some((p) => p.id === id && p.status === 'SUCCEEDED' && p.riskLevel !== null),
    );
    expect(seen.payments.find((p) => p.id === id)).toMatchObject({ status: 'SUCCEEDED', amount: 4321 });
    const notified = await client.eventually(state, (s) => s.notifications.some((n) => n.paymentId === id));
    expect(notified.notifications.filter((n) => n.paymentId === id).length).toBeGreaterThan(0);

    const timeline = await get<{ payment: { id: string }; entries: { kind: string; what: string }[] }>(
      `/local/console/payments/${id}`,
    );
    expect(timeline.status).toBe(200);
    const whats = timeline.json.entries.map((e) => `${e.kind}: ${e.what}`);
    expect(whats[0]).toBe('payment: created');
    expect(whats).toEqual(
      expect.arrayContaining([
        'outbox: PaymentCreated written',
        'outbox: PaymentCreated published',
        'risk: risk allow',
        'payment: SUCCEEDED',
      ]),
    );
    expect(whats.some((w) => w.startsWith('notification: '))).toBe(true);

    // The sections are rendered with the data escaped.
    const sections = await get<Record<string, string>>(`/local/console/sections?payment=${id}`);
    expect(sections.json.payments).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(sections.json.payments).not.toContain('<b>bold</b>');
    expect(sections.json.timeline).toContain(id);
  });

  it('answers unknown payments and paths with a 404 in the error shape', async () => {
    for (const path of [
      `/local/console/payments/${randomUUID()}`,
      '/local/console/payments/not-a-uuid',
      '/local/console/nope',
    ]) {
      const res = await get<{ error: { code: string; message: string } }>(path);
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
      expect(res.headers.get('x-correlation-id')).toBeTruthy();
    }
    const unknownQueue = await post('/local/console/dead-letter-queues/nope/redrive');
    expect(unknownQueue.status).toBe(404);
    expect(((await unknownQueue.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('lists a DLQ message with its age and redrives it back to its worker, which processes it', async () => {
    const token = await runtime().token();
    const client = new PaymentsClient(runtime().baseUrl, token);
    const eventId = await deadLetterNotificationRequest(runtime().dataDir, client.userId);
    const listed = await state();
    const dlq = listed.deadLetterQueues.find((d) => d.queue === 'notificationRequests');
    expect(dlq).toMatchObject({ depth: 1 });
    expect(dlq?.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(dlq?.samples).toEqual([expect.objectContaining({ detailType: 'NotificationRequested' })]);
    expect((await client.request('GET', `/events/${eventId}`)).status).toBe(404);

    const res = await post('/local/console/dead-letter-queues/notificationRequests/redrive');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ queue: 'notificationRequests', moved: 1, remaining: 0 });

    const processed = await client.eventually(
      () => client.request('GET', `/events/${eventId}`),
      (r) => r.status === 200,
    );
    expect(processed.status).toBe(200);
    const after = await state();
    expect(after.deadLetterQueues.find((d) => d.queue === 'notificationRequests')?.depth).toBe(0);
    expect(after.events.map((e) => e.id)).toContain(eventId);
  });
});
