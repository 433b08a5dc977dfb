import { randomUUID } from 'node:crypto';
import { PaymentsClient } from '../e2e/client';
import { localRuntimeForFile } from '../support/local-runtime-process';
import { chromiumForFile } from './browser';

// GET /docs in a real browser (docs/architecture.md, "API reference"): Swagger UI renders the spec and its
// "Try it out", authorized with a dev token, creates a payment through the local API.

describe('API reference in Chromium', () => {
  const runtime = localRuntimeForFile();
  const newPage = chromiumForFile();

  it('renders every operation of the spec', async () => {
    const page = await newPage();
    await page.goto(`${runtime().baseUrl}/docs`);
    await page.locator('.opblock').first().waitFor();
    const paths = await page.locator('.opblock-summary-path').allTextContents();
    expect(paths).toEqual(expect.arrayContaining(['/payments', '/payments/{id}', '/events', '/health']));
    await expect(
      page.locator('.opblock-post .opblock-summary-path[data-path="/payments"]').count(),
    ).resolves.toBe(1);
  }, 90_000);

  it('"Try it out" on POST /payments, after "Authorize" with a dev token, creates the payment', async () => {
    const token = await runtime().token();
    const page = await newPage();
    await page.goto(`${runtime().baseUrl}/docs`);
    await page.locator('button.authorize').first().click();
    const modal = page.locator('.modal-ux');
    await modal.locator('input#auth-bearer-value').fill(token);
    await modal.locator('button.authorize').click();
    await modal.getByText('Authorized').waitFor();
    await modal.locator('button.btn-done').click();

    const operation = page
      .locator('.opblock-post')
      .filter({ has: page.locator('.opblock-summary-path[data-path="/payments"]') });
    await operation.locator('.opblock-summary').click();
    // The viewer opens operations ready to try (tryItOutEnabled); otherwise "Try it out" first.
    await operation.locator('button.execute, button.try-out__btn:not(.cancel)').first().waitFor();
    if (!(await operation.locator('button.execute').isVisible()))
      await operation.locator('button.try-out__btn').click();
    await operation.locator('tr[data-param-name="Idempotency-Key"] input').fill(randomUUID());
    await operation.locator('button.execute').click();

    const answer = operation.locator('.live-responses-table tbody .response');
    await answer
      .locator('.response-col_status')
      .filter({ hasText: /^\s*\d{3}\s*$/ })
      .waitFor();
    expect((await answer.locator('.response-col_status').first().textContent())?.trim()).toBe('201');
    const body = JSON.parse(
      (await answer.locator('.response-col_description pre').first().textContent()) ?? '',
    );
    expect(body).toMatchObject({ status: 'PENDING', amount: 1999, currency: 'EUR' });

    // The row is there, the caller's own, through the API.
    const client = new PaymentsClient(runtime().baseUrl, token);
    const payment = await client.getPayment(body.id);
    expect(payment).toMatchObject({ id: body.id, user_id: client.userId, amount: 1999 });
  }, 90_000);
});
