import { localRuntimeForFile } from '../support/local-runtime-process';
import { isTerminal, PaymentsClient } from './client';
import { waitAllTerminal } from './payments-flow';

// POST /payments while EventBridge refuses every PutEvents entry (the local bus, through the fault
// injection the chaos run uses): the API still answers 201, because nothing on its request path talks to
// the bus; the events wait in the outbox and leave once the bus is back (docs/architecture.md, "Outbox").

const runtime = localRuntimeForFile({ env: { LOCAL_FAULTS: JSON.stringify({ putEventsFailure: 1 }) } });

interface FaultStatus {
  faults: { putEventsEntriesRefused: number };
  queues: Record<string, { visible: number; inFlight: number; delivered: number }>;
}

const status = async () => (await (await fetch(`${runtime().baseUrl}/local/status`)).json()) as FaultStatus;

async function setFaults(rates: Record<string, number>): Promise<void> {
  const res = await fetch(`${runtime().baseUrl}/local/faults`, {
    method: 'PUT',
    body: JSON.stringify(rates),
  });
  expect(res.status).toBe(200);
}

describe('POST /payments during a bus outage (real local runtime)', () => {
  it('answers 201 while PutEvents fails for every entry; the events leave once the bus is back', async () => {
    const client = new PaymentsClient(runtime().baseUrl, await runtime().token());
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => client.createPayment({ amount: 2000 + i, currency: 'EUR' })),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(answers.every((a) => a.json.status === 'PENDING')).toBe(true);

    // The relay keeps trying and the bus keeps refusing: every event is refused at least once, none queued.
    const refused = await client.eventually(
      status,
      (s) => s.faults.putEventsEntriesRefused >= answers.length,
      60_000,
    );
    const queued = refused.queues.payments!;
    expect(queued.visible + queued.inFlight + queued.delivered).toBe(0);
    const ids = answers.map((a) => a.json.id as string);
    for (const id of ids) expect((await client.getPayment(id)).status).toBe('PENDING');

    await setFaults({ putEventsFailure: 0 });
    const payments = await waitAllTerminal(client, ids, 120_000);
    expect(payments.filter(isTerminal)).toHaveLength(ids.length);
    expect(payments.every((p) => p.status === 'SUCCEEDED')).toBe(true);
  }, 240_000);

  it('refuses fault rates that are not rates', async () => {
    const res = await fetch(`${runtime().baseUrl}/local/faults`, {
      method: 'PUT',
      body: JSON.stringify({ putEventsFailure: 2 }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('validation_error');
  });
});
