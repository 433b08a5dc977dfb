import { PaymentsClient } from '../e2e/client';
import { deadLetterNotificationRequest } from '../support/dead-letters';
import { localRuntimeForFile } from '../support/local-runtime-process';
import { chromiumForFile } from './browser';

// The local console in a real browser (docs/architecture.md, "Local console"): a payment created from its
// form (with the dev token it signs) shown reaching SUCCEEDED, and a DLQ message redriven with its button.

describe('local console in Chromium', () => {
  const runtime = localRuntimeForFile();
  const newPage = chromiumForFile();

  it('creates a payment from its form and shows it reaching SUCCEEDED, with its timeline', async () => {
    const page = await newPage();
    await page.goto(`${runtime().baseUrl}/`);
    // The token the page signed for itself, shown for /docs's Authorize.
    await page.locator('#token-user').filter({ hasText: /\S/ }).waitFor({ state: 'attached' });
    await page.locator('#new-payment input[name="amount"]').fill('2500');
    await page.locator('#new-payment input[name="description"]').fill('<i>from the browser test</i>');
    await page.locator('#new-payment button[type="submit"]').click();

    const result = page.locator('#create-result');
    await result.filter({ hasText: /^\d{3}: / }).waitFor();
    const created = /^201: payment ([0-9a-f-]{36}) PENDING$/.exec((await result.textContent()) ?? '');
    expect(created).not.toBeNull();
    const id = created![1]!;

    const row = page.locator(`#payments tr[data-payment-id="${id}"]`);
    await row.and(page.locator('[data-status="SUCCEEDED"]')).waitFor();
    await expect(row.locator('td').nth(4).textContent()).resolves.toBe('<i>from the browser test</i>');
    await expect(row.locator('.risk').textContent()).resolves.toMatch(
      /^(normal|elevated|highest) \(\d+, allow\)$/,
    );
    // The new payment is the selected one: its timeline follows it to the end.
    await page.locator('#timeline [data-timeline-status="SUCCEEDED"]').waitFor();
    const timeline = await page.locator('#timeline tbody').textContent();
    expect(timeline).toContain('PaymentCreated published');
    expect(timeline).toContain('risk allow');
    // And through the API's read route, with the page's own token.
    await page
      .locator('#api-view')
      .filter({ hasText: /^200 [\s\S]*"status": "SUCCEEDED"/ })
      .waitFor();
    await expect(page.locator('#api-view').textContent()).resolves.toContain(`"id": "${id}"`);
  }, 90_000);

  it('lists a DLQ message with depth 1, and its redrive button sends it back to be processed', async () => {
    const client = new PaymentsClient(runtime().baseUrl, await runtime().token());
    const eventId = await deadLetterNotificationRequest(runtime().dataDir, client.userId);
    const page = await newPage();
    await page.goto(`${runtime().baseUrl}/`);
    const dlq = page.locator('#queues tr[data-dlq="notificationRequests"]');
    await dlq.and(page.locator('[data-depth="1"]')).waitFor();
    await expect(dlq.textContent()).resolves.toContain('NotificationRequested');

    await dlq.locator('button[data-redrive]').click();
    await page
      .locator('#action-result')
      .filter({ hasText: 'Redrive notificationRequests: 1 moved back, 0 left' })
      .waitFor();
    await dlq.and(page.locator('[data-depth="0"]')).waitFor();
    // Processed by the notification worker: listed by the console, and there through the API.
    await page.locator(`#events tr[data-event-id="${eventId}"]`).waitFor();
    expect((await client.request('GET', `/events/${eventId}`)).status).toBe(200);
  }, 90_000);
});
