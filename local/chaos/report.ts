import { type ChaosReport, totalFaults } from './run';

// The chaos report as a table for people (`--json` prints the ChaosReport itself).

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatChaosReport(r: ChaosReport): string {
  const o = r.outcome;
  const f = r.faults;
  const faultRows: [string, number][] = [
    ['client retry, same key, sequential', f.client.sequentialRetries],
    ['client retry, same key, concurrent (x3)', f.client.concurrentRetries],
    ['client retry, changed body (expect 422)', f.client.changedBodies],
    ['duplicate queue deliveries', f.runtime.duplicateDeliveries],
    ['deliveries to two consumers at once', f.runtime.concurrentDeliveries],
    ['worker crash before the gateway call', f.runtime.crashesBeforeCharge],
    ['worker crash after charge, before commit', f.runtime.crashesAfterCharge],
    ['worker crash after commit, before publish', f.runtime.crashesAfterCommit],
    ['risk worker crash mid-assessment', f.runtime.crashesMidAssessment],
    ['risk worker crash after commit, before publish', f.runtime.crashesAfterAssessment],
    ['  of the duplicate deliveries: to the risk queue', f.runtime.duplicateDeliveriesToRisk],
    ['  of the concurrent deliveries: to the risk queue', f.runtime.concurrentDeliveriesToRisk],
    ['gateway timeouts', f.runtime.gatewayTimeouts],
    ['gateway transient errors', f.runtime.gatewayTransientErrors],
    ['PutEvents entries refused', f.runtime.putEventsEntriesRefused],
    ['PutEvents NotificationRequested refused (API path)', f.runtime.notificationRequestsRefused],
    ['client event retry, same key, sequential', r.events.sequentialRetries],
    ['client event retry, same key, concurrent (x3)', r.events.concurrentRetries],
    ['kill -9 of the runtime (then restart)', f.kills],
    ['declines requested (amount ends in 13)', f.declinesRequested],
  ];
  const statuses = Object.entries(r.http.byStatus)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
  return [
    `Chaos run: ${r.payments} payments, ${r.concurrency} clients, seed ${r.seed}`,
    `Wall time ${r.seconds.total} s (load ${r.seconds.load} s, drain ${r.seconds.drain} s)`,
    `HTTP: ${r.http.requests} requests (${statuses}); ${r.http.unanswered} got no answer and were retried`,
    `Events: ${r.events.accepted}/${r.events.requested} accepted; POST /events ${r.events.requests} requests ` +
      `(${Object.entries(r.events.byStatus)
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ')}); ${r.events.unanswered} got no answer and were retried`,
    `Payments: ${o.payments} (${o.succeeded} SUCCEEDED, ${o.failed} FAILED, ${o.pending} PENDING); ` +
      `DLQ messages: payments ${o.deadLetters.payments}, notifications ${o.deadLetters.notifications}, ` +
      `notification requests ${o.deadLetters.notificationRequests}, risk ${o.deadLetters.risk}`,
    `Risk: ${o.assessed} assessed, ${o.riskBlocked} FAILED risk_blocked`,
    '',
    table([['fault injected', 'count'], ...faultRows.map(([n, c]) => [n, String(c)])]),
    `(${totalFaults(r)} faults in all)`,
    '',
    table([
      ['invariant', 'result', 'count', 'detail'],
      ...r.invariants.map((i) => [i.name, i.ok ? 'PASS' : 'FAIL', String(i.count), i.detail]),
    ]),
    '',
    r.ok ? 'All invariants hold.' : 'INVARIANTS BROKEN.',
  ].join('\n');
}
