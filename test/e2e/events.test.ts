import { randomUUID } from 'node:crypto';
import { localRuntimeForFile } from '../support/local-runtime-process';
import { PaymentsClient } from './client';

// Notification events over real HTTP, through the local runtime: POST /events -> the bus -> the
// notificationRequests queue -> the notification worker -> GET /events/{id} (docs/architecture.md,
// "Notification events").

interface ProcessedEvent {
  id: string;
  event_type: string;
  message: string;
  payload: Record<string, unknown>;
  notifications: { channel: string; event_id: string; payment_id: string | null }[];
}

describe('notification events end to end (local runtime)', () => {
  const runtime = localRuntimeForFile();
  const client = async () => new PaymentsClient(runtime().baseUrl, await runtime().token(randomUUID()));

  it('202 with an id, 404 until processed, then the event with one notification per named channel', async () => {
    const c = await client();
    const key = randomUUID();
    const body = {
      event_type: 'order.shipped',
      message: 'Your order has shipped 🚚',
      payload: { email: 'a@b.co' },
    };
    const accepted = await c.request<{ id: string; status: string }>('POST', '/events', {
      body,
      headers: { 'idempotency-key': key },
    });
    expect(accepted.status).toBe(202);
    expect(accepted.json.status).toBe('accepted');
    const { id } = accepted.json;

    const shown = await c.eventually(
      () => c.request<ProcessedEvent>('GET', `/events/${id}`),
      (r) => r.status === 200 && r.json.notifications.length === 1,
    );
    expect(shown.status).toBe(200);
    expect(shown.json).toMatchObject({ id, event_type: 'order.shipped', message: body.message });
    expect(shown.json.notifications).toEqual([
      expect.objectContaining({ channel: 'email', event_id: id, payment_id: null }),
    ]);

    // A retry with the same key names the same event, and nothing more is sent.
    const again = await c.request<{ id: string }>('POST', '/events', {
      body,
      headers: { 'idempotency-key': key },
    });
    expect(again.json.id).toBe(id);
    const listed = await c.eventually(
      () => c.request<{ data: { id: string }[] }>('GET', `/notifications?event_id=${id}`),
      (r) => r.status === 200 && r.json.data.length >= 1,
    );
    expect(listed.json.data).toHaveLength(1);
    const events = await c.request<{ data: { id: string }[]; next_cursor: string | null }>(
      'GET',
      '/events?event_type=order.shipped&limit=10',
    );
    expect(events.json).toEqual({ data: [expect.objectContaining({ id })], next_cursor: null });
  });

  it('answers a bad event in the error shape and a not-yet-processed or unknown id with 404', async () => {
    const c = await client();
    const bad = await c.request<{ error: { code: string } }>('POST', '/events', {
      body: { event_type: 'Bad Type', message: 'x' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('validation_error');
    const unknown = await c.request<{ error: { code: string } }>('GET', `/events/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('not_found');
  });
});
