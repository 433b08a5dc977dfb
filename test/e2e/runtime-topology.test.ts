import { topology } from '../../lib/topology';
import { localRuntimeForFile } from '../support/local-runtime-process';
import { isTerminal, PaymentsClient } from './client';

// The local runtime is built by iterating the topology: a copy with one more queue (and its rule) and
// one more schedule runs them with no edit under local/ (test/support/extended-topology-runtime.ts).

describe('local runtime on a copy of the topology with a queue, a rule and a schedule added', () => {
  const runtime = localRuntimeForFile({ entry: 'test/support/extended-topology-runtime.ts' });
  const status = () => runtime().status();

  it('runs the new schedule from the start, with the platform one', async () => {
    const { schedules } = await status();
    expect(Object.keys(schedules).sort()).toEqual([...Object.keys(topology.schedules), 'relaySweep'].sort());
    expect(schedules.relaySweep).toBeGreaterThanOrEqual(1); // a schedule runs once at start
  });

  it('routes by the new rule to the new queue, whose consumer runs; the payment is still settled once', async () => {
    const client = new PaymentsClient(runtime().baseUrl, await runtime().token());
    expect((await status()).queues.paymentsCopy).toMatchObject({ consumer: 'on', delivered: 0 });
    const created = await client.createPayment({ amount: 4200, currency: 'EUR' });
    expect(created.status).toBe(201);
    const payment = await client.eventually(() => client.getPayment(created.json.id), isTerminal, 30_000);
    expect(payment.status).toBe('SUCCEEDED');
    const after = await client.eventually(
      status,
      (s) => s.queues.paymentsCopy!.delivered >= 1 && s.queues.payments!.delivered >= 1,
      30_000,
    );
    expect(after.queues.paymentsCopy).toMatchObject({ visible: 0, consumer: 'on' });
    expect(after.deadLetterQueues).toEqual({
      'payments-dlq': expect.objectContaining({ visible: 0 }),
      'notifications-dlq': expect.objectContaining({ visible: 0 }),
      'notificationRequests-dlq': expect.objectContaining({ visible: 0 }),
      'paymentsCopy-dlq': expect.objectContaining({ visible: 0 }),
      'risk-dlq': expect.objectContaining({ visible: 0 }),
    });
    // Two deliveries of RiskAssessed, one charge: the ledger holds the amount once.
    expect(await client.balance('EUR')).toBe(4200);
    const notifications = await client.eventually(
      () => client.notifications(payment.id),
      (n) => n.length >= 2,
    );
    expect(notifications).toHaveLength(2);
  }, 60_000);
});
