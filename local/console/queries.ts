import type { Queryable } from '../../lambdas/shared/adapters/postgres/database';

// The console's read-only SQL over the platform's tables (every user's rows: a local operator's view).
// Queues, DLQs, outbox lag and the analytics stats come from the ops CLI's own queries instead.

export interface RecentPayment {
  id: string;
  userId: string;
  amount: number;
  currency: string;
  status: string;
  description: string | null;
  failureCode: string | null;
  createdAt: Date;
  updatedAt: Date;
  riskLevel: string | null;
  riskScore: number | null;
  riskOutcome: string | null;
}

interface PaymentRow {
  id: string;
  user_id: string;
  amount: string;
  currency: string;
  status: string;
  description: string | null;
  failure_code: string | null;
  created_at: Date;
  updated_at: Date;
  level: string | null;
  score: number | null;
  outcome: string | null;
}

const fromRow = (r: PaymentRow): RecentPayment => ({
  id: r.id,
  userId: r.user_id,
  amount: Number(r.amount),
  currency: r.currency.trim(),
  status: r.status,
  description: r.description,
  failureCode: r.failure_code,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  riskLevel: r.level,
  riskScore: r.score,
  riskOutcome: r.outcome,
});

/** The newest payments of every user, with their risk assessment when there is one. */
export async function recentPayments(db: Queryable, limit: number): Promise<RecentPayment[]> {
  const rows = await db<PaymentRow[]>`
    SELECT p.id, p.user_id, p.amount, p.currency, p.status, p.description, p.failure_code, p.created_at,
           p.updated_at, r.level, r.score, r.outcome
    FROM payments p LEFT JOIN risk_assessments r ON r.payment_id = p.id
    ORDER BY p.created_at DESC, p.id DESC LIMIT ${limit}`;
  return rows.map(fromRow);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function paymentById(db: Queryable, id: string): Promise<RecentPayment | undefined> {
  // Not a uuid: no such payment (the column's type would refuse the comparison).
  if (!UUID.test(id)) return undefined;
  const [row] = await db<PaymentRow[]>`
    SELECT p.id, p.user_id, p.amount, p.currency, p.status, p.description, p.failure_code, p.created_at,
           p.updated_at, r.level, r.score, r.outcome
    FROM payments p LEFT JOIN risk_assessments r ON r.payment_id = p.id WHERE p.id = ${id}`;
  return row && fromRow(row);
}

export interface TimelineEntry {
  at: Date;
  /** Which table the entry comes from. */
  kind: 'payment' | 'outbox' | 'risk' | 'ledger' | 'notification';
  what: string;
  detail: string;
}

export interface PaymentTimeline {
  payment: RecentPayment;
  entries: TimelineEntry[];
}

/** Everything the tables hold about one payment, oldest first; undefined when there is no such payment. */
export async function paymentTimeline(db: Queryable, id: string): Promise<PaymentTimeline | undefined> {
  const payment = await paymentById(db, id);
  if (!payment) return undefined;
  // Independent reads: side by side (the page asks every second while a payment is selected).
  const [outbox, ledger, notifications, [risk]] = await Promise.all([
    db<
      {
        event_id: string;
        detail_type: string;
        created_at: Date;
        published_at: Date | null;
        attempts: number;
        last_error: string | null;
      }[]
    >`
    SELECT event_id, detail_type, created_at, published_at, attempts, last_error FROM outbox
    WHERE detail->'payment'->>'id' = ${id} ORDER BY created_at, event_id`,
    db<{ account: string; direction: string; amount: string; currency: string; created_at: Date }[]>`
    SELECT account, direction, amount, currency, created_at FROM ledger_entries
    WHERE payment_id = ${id} ORDER BY id`,
    db<{ channel: string; status: string; message: string; sent_at: Date }[]>`
    SELECT channel, status, message, sent_at FROM notifications WHERE payment_id = ${id} ORDER BY sent_at`,
    db<{ score: number; level: string; outcome: string; assessed_at: Date }[]>`
    SELECT score, level, outcome, assessed_at FROM risk_assessments WHERE payment_id = ${id}`,
  ]);
  const entries: TimelineEntry[] = [
    {
      at: payment.createdAt,
      kind: 'payment',
      what: 'created',
      detail: `${payment.amount} ${payment.currency}`,
    },
    ...outbox.flatMap((o): TimelineEntry[] => [
      {
        at: o.created_at,
        kind: 'outbox',
        what: `${o.detail_type} written`,
        detail: `event ${o.event_id}${o.attempts > 0 ? `, ${o.attempts} failed attempt(s)` : ''}${o.last_error ? `: ${o.last_error}` : ''}`,
      },
      ...(o.published_at
        ? [{ at: o.published_at, kind: 'outbox' as const, what: `${o.detail_type} published`, detail: '' }]
        : []),
    ]),
    ...(risk
      ? [
          {
            at: risk.assessed_at,
            kind: 'risk' as const,
            what: `risk ${risk.outcome}`,
            detail: `score ${risk.score}, level ${risk.level}`,
          },
        ]
      : []),
    ...ledger.map((l) => ({
      at: l.created_at,
      kind: 'ledger' as const,
      what: `${l.direction} ${l.account}`,
      detail: `${l.amount} ${l.currency.trim()}`,
    })),
    ...notifications.map((n) => ({
      at: n.sent_at,
      kind: 'notification' as const,
      what: `${n.channel} ${n.status}`,
      detail: n.message,
    })),
    ...(payment.status !== 'PENDING'
      ? [
          {
            at: payment.updatedAt,
            kind: 'payment' as const,
            what: payment.status,
            detail: payment.failureCode ?? '',
          },
        ]
      : []),
  ];
  entries.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { payment, entries };
}

export interface RecentNotification {
  id: string;
  paymentId: string | null;
  userId: string;
  channel: string;
  status: string;
  message: string;
  sentAt: Date;
}

/** The newest notifications sent, for payments and for requested events alike. */
export function recentNotifications(db: Queryable, limit: number): Promise<RecentNotification[]> {
  // Named in SQL as the interface names them: the rows are the answer.
  return db<RecentNotification[]>`
    SELECT id, payment_id AS "paymentId", user_id AS "userId", channel, status, message, sent_at AS "sentAt"
    FROM notifications ORDER BY created_at DESC, id DESC LIMIT ${limit}`;
}

export interface RecentEvent {
  id: string;
  userId: string;
  eventType: string;
  message: string;
  acceptedAt: Date;
  processedAt: Date;
}

/** The newest requested events (`POST /events`) the notification worker processed. */
export function recentEvents(db: Queryable, limit: number): Promise<RecentEvent[]> {
  return db<RecentEvent[]>`
    SELECT id, user_id AS "userId", event_type AS "eventType", message, accepted_at AS "acceptedAt",
           processed_at AS "processedAt"
    FROM processed_events ORDER BY processed_at DESC, id DESC LIMIT ${limit}`;
}
