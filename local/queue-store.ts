import { randomUUID } from 'node:crypto';
import type { Database } from '../lambdas/shared/adapters/postgres/database';

// The only module that reads or writes `local_queue_messages` (local/migrations): SQS semantics on PostgreSQL.

/** SQS's own ceiling for a visibility timeout (12 hours). */
export const MAX_VISIBILITY_SECONDS = 43_200;

export interface QueueMessage {
  messageId: string;
  body: string;
  receiptHandle: string;
  receiveCount: number;
  sentAt: Date;
  firstReceivedAt: Date;
}

export interface ReceiveOptions {
  maxMessages: number;
  visibilityTimeoutSeconds: number;
  /** With a dead-letter queue: a message already received this many times moves there instead. */
  redrive?: { maxReceiveCount: number; deadLetterQueue: string };
  /** Who holds the messages while a handler runs (freed by `releaseAbandoned` after a crash). */
  leasedBy: string;
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface PeekedMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  sentAt: Date;
}

export type VisibilityChange = 'changed' | 'receipt_handle_invalid' | 'message_not_in_flight';

interface MessageRow {
  id: string;
  body: string;
  receipt_handle: string;
  receive_count: number;
  sent_at: Date;
  first_received_at: Date;
}

export class QueueStore {
  /**
   * Transactions this store committed (each method is one), so the bench can tell the local queue
   * emulation's commits from the platform's own: in AWS, SQS does this work, not PostgreSQL.
   */
  transactions = 0;

  constructor(private readonly db: Database) {}

  /** Counts a transaction of the queue emulation that a caller ran itself (the bus's multi-queue enqueue). */
  noteTransaction(): void {
    this.transactions += 1;
  }

  /**
   * SQS's retention: drops up to `limit` messages of `queue` sent more than `days` ago (a dead-lettered
   * message keeps its original send time, as in SQS). Returns how many; in-flight ones are skipped.
   */
  async dropExpired(queue: string, days: number, limit = 500): Promise<number> {
    this.transactions += 1;
    const rows = await this.db`
      DELETE FROM local_queue_messages WHERE id IN (
        SELECT id FROM local_queue_messages
        WHERE queue = ${queue} AND sent_at < now() - ${days} * interval '1 day' AND visible_at <= now()
        LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
    return rows.count;
  }

  /** Sends in the caller's transaction when given one, so a batch is enqueued all or nothing. */
  async send(queue: string, bodies: readonly string[], tx: Database = this.db): Promise<string[]> {
    if (bodies.length === 0) return [];
    if (tx === this.db) this.transactions += 1;
    const rows = bodies.map((body) => ({ id: randomUUID(), queue, body }));
    await tx`INSERT INTO local_queue_messages ${tx(rows, 'id', 'queue', 'body')}`;
    return rows.map((r) => r.id);
  }

  /**
   * Receives up to `maxMessages` visible messages, oldest first, hiding them for the visibility timeout.
   * Like SQS, a message already received `maxReceiveCount` times is moved to the dead-letter queue
   * instead of being delivered again. `SKIP LOCKED` lets concurrent receivers share a queue.
   */
  async receive(queue: string, options: ReceiveOptions): Promise<QueueMessage[]> {
    this.transactions += 1;
    // One statement (one round trip, atomic by itself): pick with SKIP LOCKED, move the exhausted ones to
    // the dead-letter queue and hide the rest. Data-modifying CTEs always run to completion.
    const maxReceives = options.redrive?.maxReceiveCount ?? null;
    const rows = await this.db<MessageRow[]>`
      WITH picked AS (
        SELECT id, receive_count >= coalesce(${maxReceives}::int, 2147483647) AS exhausted
        FROM local_queue_messages
        WHERE queue = ${queue} AND visible_at <= now()
        ORDER BY visible_at, sent_at
        LIMIT ${options.maxMessages}
        FOR UPDATE SKIP LOCKED
      ), dead AS (
        UPDATE local_queue_messages m
        SET queue = ${options.redrive?.deadLetterQueue ?? null}, visible_at = now(), receipt_handle = NULL, leased_by = NULL
        FROM picked WHERE m.id = picked.id AND picked.exhausted
        RETURNING m.id
      )
      UPDATE local_queue_messages m
      SET receive_count = m.receive_count + 1,
          visible_at = now() + make_interval(secs => ${options.visibilityTimeoutSeconds}),
          first_received_at = coalesce(m.first_received_at, now()),
          receipt_handle = gen_random_uuid()::text,
          leased_by = ${options.leasedBy}
      FROM picked WHERE m.id = picked.id AND NOT picked.exhausted
      RETURNING m.id, m.body, m.receipt_handle, m.receive_count, m.sent_at, m.first_received_at`;
    const order = new Map(rows.map((r, i) => [r.id, i]));
    return [...rows]
      .sort((a, b) => a.sent_at.getTime() - b.sent_at.getTime() || order.get(a.id)! - order.get(b.id)!)
      .map((r) => ({
        messageId: r.id,
        body: r.body,
        receiptHandle: r.receipt_handle,
        receiveCount: r.receive_count,
        sentAt: r.sent_at,
        firstReceivedAt: r.first_received_at,
      }));
  }

  /** Deletes the delivery behind `receiptHandle`; false when that handle is not the current one. */
  async delete(queue: string, receiptHandle: string): Promise<boolean> {
    this.transactions += 1;
    const rows = await this.db`
      DELETE FROM local_queue_messages WHERE queue = ${queue} AND receipt_handle = ${receiptHandle}
      RETURNING id`;
    return rows.length > 0;
  }

  /** Deletes the deliveries behind `receiptHandles` in one statement; returns how many were current. */
  async deleteBatch(queue: string, receiptHandles: readonly string[]): Promise<number> {
    if (receiptHandles.length === 0) return 0;
    this.transactions += 1;
    const rows = await this.db`
      DELETE FROM local_queue_messages
      WHERE queue = ${queue} AND receipt_handle = ANY(${receiptHandles as string[]})
      RETURNING id`;
    return rows.length;
  }

  /** SQS ChangeMessageVisibility: the message becomes visible again `seconds` from now. */
  async changeVisibility(queue: string, receiptHandle: string, seconds: number): Promise<VisibilityChange> {
    this.transactions += 1;
    const rows = await this.db<{ id: string; in_flight: boolean }[]>`
      WITH target AS (
        SELECT id, visible_at > now() AS in_flight FROM local_queue_messages
        WHERE queue = ${queue} AND receipt_handle = ${receiptHandle}
      ), changed AS (
        UPDATE local_queue_messages m SET visible_at = now() + make_interval(secs => ${seconds})
        FROM target WHERE m.id = target.id AND target.in_flight
        RETURNING m.id
      )
      SELECT id, in_flight FROM target`;
    const [row] = rows;
    if (!row) return 'receipt_handle_invalid';
    return row.in_flight ? 'changed' : 'message_not_in_flight';
  }

  /** The handler is done with these deliveries (they wait out their visibility timeout). */
  async release(receiptHandles: readonly string[]): Promise<void> {
    if (receiptHandles.length === 0) return;
    this.transactions += 1;
    await this.db`
      UPDATE local_queue_messages SET leased_by = NULL
      WHERE receipt_handle = ANY(${receiptHandles as string[]})`;
  }

  /**
   * After a crash: deliveries a dead process was still handling become visible at once, instead of
   * after their (long) visibility timeout. Delays a handler chose (ChangeMessageVisibility) are kept.
   */
  async releaseAbandoned(currentLeaseholder: string): Promise<number> {
    this.transactions += 1;
    const rows = await this.db`
      UPDATE local_queue_messages SET visible_at = now(), leased_by = NULL
      WHERE leased_by IS NOT NULL AND leased_by <> ${currentLeaseholder}
      RETURNING id`;
    return rows.length;
  }

  /** The oldest messages of a queue, without receiving them (operators' inspection; no receive count). */
  async peek(queue: string, limit: number): Promise<PeekedMessage[]> {
    this.transactions += 1;
    const rows = await this.db<{ id: string; body: string; receive_count: number; sent_at: Date }[]>`
      SELECT id, body, receive_count, sent_at FROM local_queue_messages
      WHERE queue = ${queue} ORDER BY sent_at, id LIMIT ${limit}`;
    return rows.map((r) => ({
      messageId: r.id,
      body: r.body,
      receiveCount: r.receive_count,
      sentAt: r.sent_at,
    }));
  }

  /**
   * Moves up to `limit` of the oldest visible messages of `from` to `to` as fresh messages (receive count 0,
   * visible now), like an SQS message move task does with a dead-letter queue. Returns how many moved.
   */
  async move(from: string, to: string, limit: number): Promise<number> {
    this.transactions += 1;
    const rows = await this.db`
      UPDATE local_queue_messages
      SET queue = ${to}, visible_at = now(), receive_count = 0, first_received_at = NULL,
          receipt_handle = NULL, leased_by = NULL
      WHERE id IN (
        SELECT id FROM local_queue_messages
        WHERE queue = ${from} AND visible_at <= now()
        ORDER BY sent_at, id LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING id`;
    return rows.length;
  }

  /** Depth per queue: visible, in flight (received, not yet deleted) and delayed (not yet received). */
  async depths(): Promise<Record<string, QueueDepth>> {
    this.transactions += 1;
    const rows = await this.db<{ queue: string; visible: number; in_flight: number; delayed: number }[]>`
      SELECT queue,
             count(*) FILTER (WHERE visible_at <= now())::int AS visible,
             count(*) FILTER (WHERE visible_at > now() AND receive_count > 0)::int AS in_flight,
             count(*) FILTER (WHERE visible_at > now() AND receive_count = 0)::int AS delayed
      FROM local_queue_messages GROUP BY queue`;
    return Object.fromEntries(
      rows.map((r) => [r.queue, { visible: r.visible, inFlight: r.in_flight, delayed: r.delayed }]),
    );
  }
}
