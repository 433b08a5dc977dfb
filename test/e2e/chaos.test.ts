import { DEFAULT_CHAOS_OPTIONS, runChaos, totalFaults } from '../../local/chaos/run';

// A reduced `npm run chaos`: 300 payments through the local runtime with every fault on (client
// retries, duplicate and concurrent deliveries, worker crashes at each step, gateway timeouts and
// errors, refused PutEvents entries, one kill -9 and restart), with 150 notification events alongside
// (503s from a refusing bus retried with the same key), then every invariant.

describe('chaos run (300 payments, every fault on)', () => {
  let report: Awaited<ReturnType<typeof runChaos>>;

  beforeAll(async () => {
    report = await runChaos({
      ...DEFAULT_CHAOS_OPTIONS,
      payments: 300,
      concurrency: 16,
      seed: 20_261_121,
      // Higher than the defaults so that every kind fires in a short run.
      runtime: {
        duplicateDelivery: 0.1,
        concurrentDelivery: 0.05,
        crashBeforeCharge: 0.05,
        crashAfterCharge: 0.05,
        crashAfterCommit: 0.05,
        putEventsFailure: 0.1,
        notificationRequestRefused: 0.4,
        crashMidAssessment: 0.05,
        crashAfterAssessment: 0.05,
      },
      events: 150,
      eventConcurrency: 4,
      drainTimeoutMs: 5 * 60_000,
    });
  }, 9 * 60_000);

  it('holds every invariant after the drain', () => {
    expect(report.outcome.drained).toBe(true);
    expect(report.invariants.filter((i) => !i.ok)).toEqual([]);
    expect(report.invariants.map((i) => i.name)).toEqual([
      'payments = distinct (user, key) accepted',
      'no payment PENDING outside the DLQ',
      'gateway charges <= 1 per payment',
      'gateway charges = 1 per SUCCEEDED (FAILED = declined)',
      'ledger sum = SUCCEEDED sum per currency',
      'one outcome event per terminal payment',
      'exactly one notification per channel per terminal payment',
      'no outbox row unpublished',
      'zero 5xx answers',
      'retries answered per the idempotency contract',
      'exactly one assessment per terminal payment (one RiskAssessed each)',
      'no gateway charge for a blocked payment',
      'every risk_blocked payment was assessed block',
      'analytics facts agree with payments, stats with facts',
      'each accepted event id processed exactly once',
      'its notifications sent once (one per channel, one NotificationSent each)',
      'one guarded send per stored notification',
      'POST /events: 503 with Retry-After, retried to 202 with the same id',
    ]);
    expect(report.ok).toBe(true);
  });

  it('created one payment per key and settled every one not dead-lettered', () => {
    const o = report.outcome;
    expect(o.payments).toBe(300);
    expect(o.succeeded + o.failed + o.pendingInDlq).toBe(300);
    expect(o.failed).toBeGreaterThan(0); // declines are part of the mix
    expect(o.riskBlocked).toBeGreaterThan(0); // and so are payments the risk rules block
    expect(report.http.byStatus['422']).toBe(report.faults.client.changedBodies);
    expect(report.events.accepted).toBe(150);
  });

  it('really injected the faults, including one kill -9', () => {
    expect(report.faults.kills).toBe(1);
    expect(report.http.unanswered).toBeGreaterThan(0); // requests lost to the kill were sent again
    expect(report.faults.client.sequentialRetries).toBeGreaterThan(0);
    expect(report.faults.client.concurrentRetries).toBeGreaterThan(0);
    expect(report.faults.client.changedBodies).toBeGreaterThan(0);
    const r = report.faults.runtime;
    expect(r.duplicateDeliveries + r.concurrentDeliveries).toBeGreaterThan(0);
    expect(r.crashesBeforeCharge + r.crashesAfterCharge + r.crashesAfterCommit).toBeGreaterThan(0);
    expect(r.putEventsEntriesRefused).toBeGreaterThan(0);
    expect(r.notificationRequestsRefused).toBeGreaterThan(0);
    expect(report.events.byStatus['503']).toBeGreaterThan(0); // refused 3 times in a row: retried by the client
    expect(r.crashesMidAssessment + r.crashesAfterAssessment).toBeGreaterThan(0);
    expect(r.duplicateDeliveriesToRisk + r.concurrentDeliveriesToRisk).toBeGreaterThan(0);
    expect(r.gatewayTimeouts + r.gatewayTransientErrors).toBeGreaterThan(0);
    expect(totalFaults(report)).toBeGreaterThan(100);
  });
});
