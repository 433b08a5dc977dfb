import type { Database } from '../../lambdas/shared/adapters/postgres/database';
import {
  NotificationSent,
  PaymentCreated,
  PaymentFailed,
  PaymentSucceeded,
  RiskAssessed,
} from '../../lambdas/shared/events';
import { names } from '../../lib/names';

// Read-only SQL over the whole database, for the chaos run's drain wait and its invariants. It reads
// tables other modules own, on purpose: it checks their combined result from the outside.

const PAYMENTS_DLQ = names.deadLetterQueue('payments');
const NOTIFICATIONS_DLQ = names.deadLetterQueue('notifications');
const NOTIFICATION_REQUESTS_DLQ = names.deadLetterQueue('notificationRequests');
const RISK_DLQ = names.deadLetterQueue('risk');

export interface DrainState {
  payments: number;
  succeeded: number;
  failed: number;
  pending: number;
  /** PENDING payments whose message sits in a DLQ: PaymentCreated in the risk DLQ, RiskAssessed in the payments DLQ. */
  pendingInDlq: number;
  /** Payments with a risk assessment, and payments FAILED `risk_blocked`. */
  assessed: number;
  riskBlocked: number;
  /** Messages still in the work queues (visible, in flight or delayed). */
  queuedMessages: number;
  deadLetters: { payments: number; notifications: number; notificationRequests: number; risk: number };
  unpublishedOutbox: number;
}

export const isDrained = (s: DrainState) =>
  s.queuedMessages === 0 && s.unpublishedOutbox === 0 && s.pending === s.pendingInDlq;

export async function readDrainState(db: Database): Promise<DrainState> {
  const [row] = await db<
    {
      payments: number;
      succeeded: number;
      failed: number;
      pending: number;
      pending_in_dlq: number;
      queued: number;
      dlq_payments: number;
      dlq_notifications: number;
      dlq_notification_requests: number;
      dlq_risk: number;
      assessed: number;
      risk_blocked: number;
      unpublished: number;
    }[]
  >`
    SELECT
      (SELECT count(*) FROM payments)::int AS payments,
      (SELECT count(*) FROM payments WHERE status = 'SUCCEEDED')::int AS succeeded,
      (SELECT count(*) FROM payments WHERE status = 'FAILED')::int AS failed,
      (SELECT count(*) FROM payments WHERE status = 'PENDING')::int AS pending,
      (SELECT count(*) FROM payments p WHERE p.status = 'PENDING' AND EXISTS (
         SELECT 1 FROM local_queue_messages m
         WHERE m.queue IN (${PAYMENTS_DLQ}, ${RISK_DLQ})
           AND m.body::jsonb -> 'detail' -> 'payment' ->> 'id' = p.id::text
      ))::int AS pending_in_dlq,
      (SELECT count(*) FROM local_queue_messages
       WHERE queue NOT IN (${PAYMENTS_DLQ}, ${NOTIFICATIONS_DLQ}, ${NOTIFICATION_REQUESTS_DLQ}, ${RISK_DLQ}))::int AS queued,
      (SELECT count(*) FROM local_queue_messages WHERE queue = ${PAYMENTS_DLQ})::int AS dlq_payments,
      (SELECT count(*) FROM local_queue_messages WHERE queue = ${NOTIFICATIONS_DLQ})::int AS dlq_notifications,
      (SELECT count(*) FROM local_queue_messages
       WHERE queue = ${NOTIFICATION_REQUESTS_DLQ})::int AS dlq_notification_requests,
      (SELECT count(*) FROM local_queue_messages WHERE queue = ${RISK_DLQ})::int AS dlq_risk,
      (SELECT count(*) FROM risk_assessments)::int AS assessed,
      (SELECT count(*) FROM payments WHERE failure_code = 'risk_blocked')::int AS risk_blocked,
      (SELECT count(*) FROM outbox WHERE published_at IS NULL)::int AS unpublished`;
  const r = row!;
  return {
    payments: r.payments,
    succeeded: r.succeeded,
    failed: r.failed,
    pending: r.pending,
    pendingInDlq: r.pending_in_dlq,
    assessed: r.assessed,
    riskBlocked: r.risk_blocked,
    queuedMessages: r.queued,
    deadLetters: {
      payments: r.dlq_payments,
      notifications: r.dlq_notifications,
      notificationRequests: r.dlq_notification_requests,
      risk: r.dlq_risk,
    },
    unpublishedOutbox: r.unpublished,
  };
}

export interface InvariantResult {
  name: string;
  ok: boolean;
  /** The number the invariant is about (e.g. payments checked), for the report. */
  count: number;
  /** What was found, in a few words; names the offenders when it fails. */
  detail: string;
}

export interface ClientRecord {
  /** (user, key) -> payment id, as the 201 answers named them. */
  accepted: ReadonlyMap<string, string>;
  serverErrors: number;
  firstServerError?: string;
  requests: number;
  anomalies: readonly string[];
}

const sample = (rows: readonly Record<string, unknown>[]) =>
  rows
    .slice(0, 3)
    .map((r) => JSON.stringify(r))
    .join(' ');

function result(name: string, count: number, bad: readonly Record<string, unknown>[], good: string) {
  return {
    name,
    ok: bad.length === 0,
    count,
    detail: bad.length === 0 ? good : `${bad.length} bad: ${sample(bad)}`,
  } satisfies InvariantResult;
}

export async function checkInvariants(db: Database, client: ClientRecord): Promise<InvariantResult[]> {
  const state = await readDrainState(db);
  const terminal = state.succeeded + state.failed;
  const results: InvariantResult[] = [];

  // 1. One payment per accepted (user, key), and it is the one the client was told about.
  const keys = await db<{ user_id: string; idempotency_key: string; payment_id: string | null }[]>`
    SELECT user_id, idempotency_key, payment_id FROM idempotency_keys`;
  const keyProblems: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const k of keys) {
    const id = `${k.user_id}\u0000${k.idempotency_key}`;
    seen.add(id);
    const told = client.accepted.get(id);
    if (told !== k.payment_id) keyProblems.push({ key: k.idempotency_key, db: k.payment_id, told });
  }
  for (const [id, told] of client.accepted) {
    if (!seen.has(id)) keyProblems.push({ key: id.split('\u0000')[1], db: null, told });
  }
  if (state.payments !== client.accepted.size) {
    keyProblems.push({ payments: state.payments, acceptedKeys: client.accepted.size });
  }
  results.push(
    result(
      'payments = distinct (user, key) accepted',
      client.accepted.size,
      keyProblems,
      `${state.payments} payments for ${client.accepted.size} accepted keys`,
    ),
  );

  // 2. Nothing left PENDING unless its message is in the payments DLQ.
  results.push({
    name: 'no payment PENDING outside the DLQ',
    ok: state.pending === state.pendingInDlq,
    count: state.pending,
    detail: `${state.pending} PENDING, ${state.pendingInDlq} of them with their message in ${PAYMENTS_DLQ} or ${RISK_DLQ}`,
  });

  // 3. The gateway charged each payment at most once, and only payments that exist.
  const multi = await db`
    SELECT p.id, count(c.*)::int AS charges FROM payments p
    JOIN gateway_charges c ON c.idempotency_key = p.id::text
    GROUP BY p.id HAVING count(c.*) > 1`;
  const orphans = await db`
    SELECT c.idempotency_key FROM gateway_charges c
    LEFT JOIN payments p ON p.id::text = c.idempotency_key WHERE p.id IS NULL`;
  const [{ charges = 0 } = {}] = await db<{ charges: number }[]>`
    SELECT count(*)::int AS charges FROM gateway_charges`;
  results.push(
    result('gateway charges <= 1 per payment', charges, [...multi, ...orphans], `${charges} charges`),
  );

  // 4. SUCCEEDED exactly when charged successfully; FAILED only on a decline the gateway recorded, or
  //    blocked by the risk screening (then never charged: invariant 12).
  const mischarged = await db`
    SELECT p.id, p.status, p.failure_code, c.outcome FROM payments p
    LEFT JOIN gateway_charges c ON c.idempotency_key = p.id::text
    WHERE (p.status = 'SUCCEEDED' AND c.outcome IS DISTINCT FROM 'succeeded')
       OR (p.status = 'FAILED' AND p.failure_code IS DISTINCT FROM 'risk_blocked'
           AND c.outcome IS DISTINCT FROM 'declined')`;
  results.push(
    result(
      'gateway charges = 1 per SUCCEEDED (FAILED = declined)',
      terminal,
      mischarged,
      `${state.succeeded} SUCCEEDED charged once, ${state.failed - state.riskBlocked} FAILED declined once, ` +
        `${state.riskBlocked} FAILED risk_blocked`,
    ),
  );

  // 5. The ledger: per currency, debits = credits = SUCCEEDED sum; each SUCCEEDED posted once.
  const ledger = await db<{ currency: string; succeeded: string; debits: string; credits: string }[]>`
    WITH s AS (SELECT currency, sum(amount) AS total FROM payments WHERE status = 'SUCCEEDED' GROUP BY currency),
         d AS (SELECT currency, sum(amount) AS total FROM ledger_entries
               WHERE direction = 'debit' AND account LIKE 'user:%' GROUP BY currency),
         c AS (SELECT currency, sum(amount) AS total FROM ledger_entries WHERE direction = 'credit' GROUP BY currency)
    SELECT currency, coalesce(s.total, 0)::text AS succeeded, coalesce(d.total, 0)::text AS debits,
           coalesce(c.total, 0)::text AS credits
    FROM s FULL JOIN d USING (currency) FULL JOIN c USING (currency) ORDER BY currency`;
  const misposted = await db`
    SELECT p.id, p.status, count(l.id)::int AS entries FROM payments p
    LEFT JOIN ledger_entries l ON l.payment_id = p.id
    GROUP BY p.id, p.status
    HAVING (p.status = 'SUCCEEDED' AND count(l.id) <> 2) OR (p.status <> 'SUCCEEDED' AND count(l.id) <> 0)`;
  const unbalanced = ledger.filter((l) => l.succeeded !== l.debits || l.succeeded !== l.credits);
  results.push(
    result(
      'ledger sum = SUCCEEDED sum per currency',
      ledger.length,
      [...unbalanced, ...misposted],
      ledger.map((l) => `${l.currency} ${l.succeeded}`).join(', ') || 'no SUCCEEDED payment',
    ),
  );

  // 6. One PaymentCreated per payment; one outcome event per terminal payment, matching its status.
  const events = await db`
    WITH e AS (
      SELECT (detail -> 'payment' ->> 'id') AS payment_id,
             count(*) FILTER (WHERE detail_type = ${PaymentCreated.detailType}) AS created,
             count(*) FILTER (WHERE detail_type = ${PaymentSucceeded.detailType}) AS succeeded,
             count(*) FILTER (WHERE detail_type = ${PaymentFailed.detailType}) AS failed
      FROM outbox GROUP BY 1)
    SELECT p.id, p.status, coalesce(e.created, 0)::int AS created, coalesce(e.succeeded, 0)::int AS succeeded,
           coalesce(e.failed, 0)::int AS failed
    FROM payments p LEFT JOIN e ON e.payment_id = p.id::text
    WHERE coalesce(e.created, 0) <> 1
       OR coalesce(e.succeeded, 0) <> (CASE WHEN p.status = 'SUCCEEDED' THEN 1 ELSE 0 END)
       OR coalesce(e.failed, 0) <> (CASE WHEN p.status = 'FAILED' THEN 1 ELSE 0 END)`;
  results.push(
    result(
      'one outcome event per terminal payment',
      terminal,
      events,
      `${terminal} outcome events, ${state.payments} PaymentCreated`,
    ),
  );

  // 7. One notification per channel per terminal payment (and its NotificationSent event); none for PENDING.
  const notifications = await db`
    WITH n AS (
      SELECT payment_id, count(*) FILTER (WHERE channel = 'email') AS email,
             count(*) FILTER (WHERE channel = 'sms') AS sms
      FROM notifications GROUP BY payment_id),
    s AS (
      SELECT (detail -> 'payment' ->> 'id') AS payment_id, count(*) AS sent
      FROM outbox WHERE detail_type = ${NotificationSent.detailType} GROUP BY 1)
    SELECT p.id, p.status, coalesce(n.email, 0)::int AS email, coalesce(n.sms, 0)::int AS sms,
           coalesce(s.sent, 0)::int AS sent_events
    FROM payments p LEFT JOIN n ON n.payment_id = p.id LEFT JOIN s ON s.payment_id = p.id::text
    WHERE coalesce(n.email, 0) <> (CASE WHEN p.status = 'PENDING' THEN 0 ELSE 1 END)
       OR coalesce(n.sms, 0) <> (CASE WHEN p.status = 'PENDING' THEN 0 ELSE 1 END)
       OR coalesce(s.sent, 0) <> coalesce(n.email, 0) + coalesce(n.sms, 0)`;
  results.push(
    result(
      'exactly one notification per channel per terminal payment',
      terminal * 2,
      notifications,
      `${terminal * 2} notifications (email + sms)`,
    ),
  );

  // 8. Every event left the outbox.
  results.push({
    name: 'no outbox row unpublished',
    ok: state.unpublishedOutbox === 0,
    count: state.unpublishedOutbox,
    detail: `${state.unpublishedOutbox} unpublished`,
  });

  // 9. The API never answered 5xx; 10. and kept the idempotency contract on every retry.
  results.push({
    name: 'zero 5xx answers',
    ok: client.serverErrors === 0,
    count: client.serverErrors,
    detail:
      `${client.serverErrors} of ${client.requests} requests` +
      (client.firstServerError ? `; first: ${client.firstServerError}` : ''),
  });
  results.push({
    name: 'retries answered per the idempotency contract',
    ok: client.anomalies.length === 0,
    count: client.anomalies.length,
    detail: client.anomalies.length === 0 ? 'replays identical, 422 on a changed body' : client.anomalies[0]!,
  });
  results.push(...(await checkRiskInvariants(db, state)));
  // Analytics (docs/architecture.md, "Analytics"): facts may lag behind, but whatever the scheduled runs wrote
  // through the crashes agrees with the payments, and each day's stats with that day's facts.
  const factsOff = await db`
    SELECT f.payment_id FROM payment_facts f LEFT JOIN payments p ON p.id = f.payment_id
    WHERE p.id IS NULL OR p.status <> f.status OR p.amount <> f.amount OR p.currency <> f.currency
       OR p.failure_code IS DISTINCT FROM f.failure_code OR p.updated_at <> f.settled_at`;
  const statsOff = await db`
    SELECT s.day::text, s.currency FROM daily_payment_stats s
    LEFT JOIN (SELECT day, currency, count(*) AS n, sum(amount) AS total,
                      count(*) FILTER (WHERE status = 'SUCCEEDED') AS ok
               FROM payment_facts GROUP BY day, currency) f USING (day, currency)
    WHERE f.n IS DISTINCT FROM s.payments OR f.total IS DISTINCT FROM s.amount_total OR f.ok IS DISTINCT FROM s.succeeded`;
  const [{ facts = 0 } = {}] = await db<
    { facts: number }[]
  >`SELECT count(*)::int AS facts FROM payment_facts`;
  results.push(
    result(
      'analytics facts agree with payments, stats with facts',
      facts,
      [...factsOff, ...statsOff],
      `${facts} facts of ${terminal} terminal payments`,
    ),
  );

  return results;
}

/** What the events clients saw: the ids their 202s named (with the channels each expects) and the refusals. */
export interface EventClientRecord {
  accepted: ReadonlyMap<string, number>;
  refused: number;
  refusedWithoutRetryAfter: number;
  serverErrors: number;
  anomalies: readonly string[];
}

/** Notification events (docs/architecture.md, "Notification events"): each accepted id processed and notified once. */
export async function checkEventInvariants(
  db: Database,
  client: EventClientRecord,
): Promise<InvariantResult[]> {
  const results: InvariantResult[] = [];
  const processed = await db<{ id: string; user_id: string }[]>`SELECT id, user_id FROM processed_events`;
  const ids = new Set(processed.map((p) => p.id));
  const problems: Record<string, unknown>[] = [];
  for (const id of client.accepted.keys()) if (!ids.has(id)) problems.push({ accepted_not_processed: id });
  for (const id of ids) if (!client.accepted.has(id)) problems.push({ processed_not_accepted: id });
  results.push(
    result(
      'each accepted event id processed exactly once',
      client.accepted.size,
      problems,
      `${processed.length} processed_events rows for ${client.accepted.size} accepted ids (id is the primary key)`,
    ),
  );

  const rows = await db<{ id: string; email: number; sms: number; sent_events: number }[]>`
    WITH n AS (
      SELECT processed_event_id AS id, count(*) FILTER (WHERE channel = 'email')::int AS email,
             count(*) FILTER (WHERE channel = 'sms')::int AS sms
      FROM notifications WHERE processed_event_id IS NOT NULL GROUP BY 1),
    s AS (
      SELECT (detail -> 'requested_event' ->> 'id') AS id, count(*)::int AS sent
      FROM outbox WHERE detail_type = ${NotificationSent.detailType} AND detail ? 'requested_event' GROUP BY 1)
    SELECT e.id, coalesce(n.email, 0) AS email, coalesce(n.sms, 0) AS sms, coalesce(s.sent, 0) AS sent_events
    FROM processed_events e LEFT JOIN n ON n.id = e.id LEFT JOIN s ON s.id = e.id::text`;
  const wrong = rows.filter((r) => {
    const expected = client.accepted.get(r.id) ?? 2;
    return r.email > 1 || r.sms > 1 || r.email + r.sms !== expected || r.sent_events !== r.email + r.sms;
  });
  const total = rows.reduce((sum, r) => sum + r.email + r.sms, 0);
  results.push(
    result(
      'its notifications sent once (one per channel, one NotificationSent each)',
      total,
      wrong,
      `${total} notifications for ${rows.length} events`,
    ),
  );

  // Every send ran under the guard: one completed guard record per stored notification (payments' too).
  const [guard] = await db<{ records: number; notifications: number }[]>`
    SELECT (SELECT count(*) FROM worker_idempotency WHERE idempotency_key LIKE 'notification-send#%')::int
             AS records,
           (SELECT count(*) FROM notifications)::int AS notifications`;
  results.push({
    name: 'one guarded send per stored notification',
    ok: guard!.records === guard!.notifications,
    count: guard!.notifications,
    detail: `${guard!.records} send guard records, ${guard!.notifications} notifications`,
  });

  const clean =
    client.refusedWithoutRetryAfter === 0 && client.serverErrors === 0 && client.anomalies.length === 0;
  results.push({
    name: 'POST /events: 503 with Retry-After, retried to 202 with the same id',
    ok: clean,
    count: client.refused,
    detail: clean
      ? `${client.refused} refusals (503), every one retried with its key to the same id`
      : `${client.refusedWithoutRetryAfter} 503 without Retry-After, ${client.serverErrors} other 5xx; ${client.anomalies[0] ?? ''}`,
  });
  return results;
}

/** Screened before charged (docs/architecture.md, "Risk screening"). */
async function checkRiskInvariants(db: Database, state: DrainState): Promise<InvariantResult[]> {
  const terminal = state.succeeded + state.failed;
  // 11. Every terminal payment was assessed exactly once (the primary key allows no second) and every
  //     assessed payment has exactly one RiskAssessed.
  const unassessed = await db`
    WITH e AS (SELECT (detail -> 'payment' ->> 'id') AS payment_id, count(*) AS events
               FROM outbox WHERE detail_type = ${RiskAssessed.detailType} GROUP BY 1)
    SELECT p.id, p.status, (r.payment_id IS NOT NULL) AS assessed, coalesce(e.events, 0)::int AS events
    FROM payments p
    LEFT JOIN risk_assessments r ON r.payment_id = p.id
    LEFT JOIN e ON e.payment_id = p.id::text
    WHERE (p.status <> 'PENDING' AND r.payment_id IS NULL)
       OR coalesce(e.events, 0) <> (CASE WHEN r.payment_id IS NULL THEN 0 ELSE 1 END)`;
  // 12. The gateway never saw a payment assessed `block`.
  const chargedBlocked = await db`
    SELECT r.payment_id, c.outcome FROM risk_assessments r
    JOIN gateway_charges c ON c.idempotency_key = r.payment_id::text
    WHERE r.outcome = 'block'`;
  // 13. risk_blocked exactly when assessed `block` (a terminal blocked payment is never anything else).
  const misblocked = await db`
    SELECT p.id, p.status, p.failure_code, r.outcome FROM payments p
    LEFT JOIN risk_assessments r ON r.payment_id = p.id
    WHERE (p.failure_code = 'risk_blocked' AND r.outcome IS DISTINCT FROM 'block')
       OR (r.outcome = 'block' AND p.status <> 'PENDING' AND p.failure_code IS DISTINCT FROM 'risk_blocked')`;
  const [blocks = { n: 0 }] = await db<{ n: number }[]>`
    SELECT count(*)::int AS n FROM risk_assessments WHERE outcome = 'block'`;
  return [
    result(
      'exactly one assessment per terminal payment (one RiskAssessed each)',
      terminal,
      unassessed,
      `${state.assessed} assessments, each with one RiskAssessed, for ${state.payments} payments (${terminal} terminal)`,
    ),
    result(
      'no gateway charge for a blocked payment',
      blocks.n,
      chargedBlocked,
      `${blocks.n} assessed block, none charged`,
    ),
    result(
      'every risk_blocked payment was assessed block',
      state.riskBlocked,
      misblocked,
      `${state.riskBlocked} risk_blocked, each assessed block; every terminal block is risk_blocked`,
    ),
  ];
}
