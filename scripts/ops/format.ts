import type { RetentionReport } from '../../lambdas/shared/use-cases/purge-expired-data';
import type {
  DeadLetterMessage,
  DeadLetterQueueReport,
  RedriveReport,
  RedriveStatus,
  ReplayReport,
} from './backend';
import { describeEvent } from './events';
import type { OutboxLag } from './queries';
import type { StuckPaymentsReport } from './reports';

// Human-readable output of the ops commands (`--json` prints the reports themselves).

export function age(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '-';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86_400)}d`;
}

export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  return cells
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function sampleLine(m: DeadLetterMessage): string {
  const event = describeEvent(m.body);
  const what = event.detailType
    ? `${event.detailType}${event.paymentId ? ` payment ${event.paymentId}` : ''}`
    : `body ${JSON.stringify(m.body.slice(0, 80))}`;
  const parts = [
    m.messageId,
    m.sentAt ? `sent ${m.sentAt.toISOString()}` : undefined,
    m.receiveCount !== undefined ? `received ${m.receiveCount}x` : undefined,
    what,
    m.error ? `error ${m.error}` : undefined,
  ];
  return `    ${parts.filter(Boolean).join('  ')}`;
}

export function formatDeadLetterQueues(reports: readonly DeadLetterQueueReport[], note?: string): string {
  const rows = reports.map((r) => [
    r.name,
    r.kind === 'queue' ? 'queue DLQ' : 'rule-target DLQ',
    r.depth,
    r.inFlight,
    r.sourceDepth ?? '-',
  ]);
  const lines = [table(['dlq', 'kind', 'depth', 'in flight', 'source queue depth'], rows)];
  for (const r of reports.filter((x) => x.samples.length > 0)) {
    lines.push('', `${r.name} (${r.kind} DLQ), oldest ${r.samples.length}:`, ...r.samples.map(sampleLine));
  }
  if (note) lines.push('', note);
  return lines.join('\n');
}

export function formatRedrive(r: RedriveReport): string {
  if (r.taskHandle) {
    return [
      `Started a message move task for the ${r.queue} DLQ at ${r.rate} messages/s (${r.remaining ?? '?'} waiting).`,
      `  from ${r.sourceArn}`,
      `  to   ${r.destinationArn ?? "each message's original source queue"}`,
      `  task handle ${r.taskHandle}`,
      `Follow it: npm run ops -- dlq redrive-status ${r.queue} --target aws`,
    ].join('\n');
  }
  return `Moved ${r.moved} message(s) from ${r.queue}-dlq back to ${r.queue} at <= ${r.rate}/s in ${((r.elapsedMs ?? 0) / 1000).toFixed(1)}s; ${r.remaining} left in the DLQ.`;
}

export function formatRedriveStatus(s: RedriveStatus): string {
  const lines = [`${s.queue} DLQ: ${s.depth} message(s) waiting.`];
  if (s.tasks.length > 0) {
    lines.push(
      table(
        ['status', 'moved', 'to move', 'rate/s', 'started', 'task handle / failure'],
        s.tasks.map((t) => [
          t.status,
          t.moved ?? '-',
          t.toMove ?? '-',
          t.rate ?? '-',
          t.startedAt?.toISOString() ?? '-',
          t.failureReason ?? t.taskHandle ?? '',
        ]),
      ),
    );
  } else if (!s.note) {
    lines.push('No message move tasks.');
  }
  if (s.note) lines.push(s.note);
  return lines.join('\n');
}

export function formatReplay(r: ReplayReport): string {
  const lines = [
    `${r.rule} target DLQ: received ${r.received}, accepted by EventBridge ${r.accepted} (deleted ${r.deleted}), refused ${r.refused}, unparseable ${r.unparseable}.`,
  ];
  if (r.refused + r.unparseable > 0) lines.push('Refused and unparseable messages stay in the DLQ.');
  for (const e of r.errors) lines.push(`  ${e}`);
  if (r.note) lines.push(r.note);
  return lines.join('\n');
}

export function formatOutboxLag(lag: OutboxLag): string {
  const lines = [
    `Unpublished outbox rows: ${lag.unpublished} (due now ${lag.due}, failed at least once ${lag.failing})`,
    `Oldest: ${lag.oldestCreatedAt?.toISOString() ?? '-'} (${age(lag.oldestAgeSeconds)} ago); max attempts ${lag.maxAttempts}`,
  ];
  if (lag.byDetailType.length > 0) {
    lines.push(
      '',
      table(
        ['detail-type', 'unpublished'],
        lag.byDetailType.map((r) => [r.detailType, r.count]),
      ),
    );
  }
  if (lag.lastErrors.length > 0) {
    lines.push(
      '',
      table(
        ['rows', 'max attempts', 'last error'],
        lag.lastErrors.map((e) => [e.count, e.maxAttempts, e.error.replace(/\s+/g, ' ').slice(0, 120)]),
      ),
    );
  }
  return lines.join('\n');
}

export function formatStuckPayments(r: StuckPaymentsReport): string {
  const lines = [
    `PENDING payments older than ${age(r.olderThanSeconds)}: ${r.count}`,
    `Oldest: ${r.oldestCreatedAt?.toISOString() ?? '-'} (${age(r.oldestAgeSeconds)} ago)`,
  ];
  if (r.oldest.length > 0) {
    lines.push(
      '',
      table(
        ['payment id', 'created', 'amount', 'in DLQ'],
        r.oldest
          .slice(0, 10)
          .map((p) => [
            p.id,
            p.createdAt.toISOString(),
            `${p.amount} ${p.currency}`,
            r.deadLetters?.found.find((f) => f.paymentId === p.id)?.deadLetterQueue ??
              (r.deadLetters ? 'no' : '?'),
          ]),
      ),
    );
    if (r.oldest.length > 10) lines.push(`... and ${r.count - 10} more (--json lists ${r.oldest.length})`);
  }
  if (r.deadLetters) {
    lines.push(
      '',
      `PaymentCreated in a DLQ: ${r.deadLetters.found.length} of the ${r.oldest.length} oldest (read ${r.deadLetters.scanned} of ${r.deadLetters.depth} DLQ messages).`,
    );
    const elsewhere = r.oldest.length - r.deadLetters.found.length;
    if (elsewhere > 0 && r.deadLetters.scanned >= r.deadLetters.depth) {
      lines.push(
        `${elsewhere} not in any DLQ: still queued or retrying (see dlq list, oldest-message age), or the event never left the outbox (see outbox lag).`,
      );
    }
  } else if (r.count > 0) {
    lines.push('', 'DLQs not checked (no queue backend for this target).');
  }
  return lines.join('\n');
}

export function formatRetention(report: RetentionReport): string {
  const verb = report.dryRun ? 'would delete' : 'deleted';
  return [
    table(
      ['kind', 'older than', verb],
      Object.entries(report.kinds).map(([kind, k]) => [kind, k.before, k.rows]),
    ),
    report.dryRun ? 'Dry run: nothing was deleted.' : '',
  ]
    .filter(Boolean)
    .join('\n');
}
