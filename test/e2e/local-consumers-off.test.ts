import { localRuntimeForFile } from '../support/local-runtime-process';
import { PaymentsClient } from './client';

// LOCAL_CONSUMERS=off (the bench's "API alone"): the API accepts, the always-on relay publishes, but no
// queue consumer runs, so the events stay in the local queues and the payment stays PENDING.

describe('local runtime with LOCAL_CONSUMERS=off', () => {
  const runtime = localRuntimeForFile({ env: { LOCAL_CONSUMERS: 'off' } });

  it('publishes created payments to the queue and leaves them there, unprocessed', async () => {
    const client = new PaymentsClient(runtime().baseUrl, await runtime().token());
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await client.createPayment({
        amount: 1500 + i,
        currency: 'EUR',
        description: 'queued',
      });
      expect(created.status).toBe(201);
      ids.push((created.json as { id: string }).id);
    }
    // The relay publishes them after the 201s: wait until all three are queued. The runtime says no
    // consumer runs, so they stay there. PaymentCreated goes to the risk queue first (screened before charged).
    const status = await client.eventually(
      () => runtime().status(),
      (s) => s.queues.risk!.visible >= 3,
      30_000,
    );
    expect(status.queues.risk).toMatchObject({
      consumer: 'off',
      visible: 3,
      inFlight: 0,
      inFlightBatches: 0,
    });
    expect(status.queues.payments).toMatchObject({ consumer: 'off', visible: 0 });
    for (const id of ids) {
      const got = await client.request<{ status: string }>('GET', `/payments/${id}`);
      expect(got.status).toBe(200);
      expect(got.json.status).toBe('PENDING');
    }
  }, 60_000);
});
