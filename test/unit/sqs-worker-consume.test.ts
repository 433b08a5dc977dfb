import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import {
  type EventContract,
  PaymentCreated,
  PaymentFailed,
  PaymentSucceeded,
  paymentEvent,
} from '../../lambdas/shared/events';
import { logger } from '../../lambdas/shared/observability';
import {
  consumeEvents,
  PoisonMessageError,
  parseEventRecord,
  recordLog,
} from '../../lambdas/shared/sqs-worker/consume';
import { SideEffectInProgressError } from '../../lambdas/shared/use-cases/errors';
import { RecordingRetries, rawSqsRecord, sqsEvent, sqsRecord } from '../support/factories';

const payment = {
  id: randomUUID(),
  user_id: 'u1',
  amount: 100,
  currency: 'USD',
  status: 'PENDING' as const,
  failure_code: null,
  failure_reason: null,
};
const created = paymentEvent(PaymentCreated, {
  eventId: randomUUID(),
  occurredAt: new Date(),
  correlationId: 'c1',
  payment,
});

describe('parseEventRecord', () => {
  it('returns the validated detail of an accepted event', () => {
    const detail = parseEventRecord(sqsRecord(created), [PaymentCreated]);
    expect(detail.payment.id).toBe(payment.id);
    expect(detail.event_id).toBe(created.eventId);
  });

  it.each<[string, SQSRecord, RegExp, (readonly EventContract<string, unknown>[])?]>([
    ['bad JSON', rawSqsRecord('{oops'), /not JSON/],
    ['JSON that is not an event', rawSqsRecord('{"detail":[]}'), /not an EventBridge event/],
    [
      'an event this consumer does not take',
      sqsRecord(created),
      /unexpected event/,
      [PaymentSucceeded, PaymentFailed],
    ],
    [
      'a detail that breaks the schema',
      sqsRecord({ ...created, detail: { ...created.detail, event_version: 2 } }),
      /invalid PaymentCreated/,
    ],
    [
      'a source that does not match the detail-type',
      rawSqsRecord(
        JSON.stringify({ source: 'evil', 'detail-type': PaymentCreated.detailType, detail: created.detail }),
      ),
      /unexpected event/,
    ],
  ])('treats %s as poison', (_name, record, message, accepts = [PaymentCreated]) => {
    expect(() => parseEventRecord(record, accepts)).toThrow(PoisonMessageError);
    expect(() => parseEventRecord(record, accepts)).toThrow(message);
  });
});

describe('consumeEvents', () => {
  it('fails only poison and failing records; reschedules only the failing (not poison) ones', async () => {
    const ok = sqsRecord(created);
    const poison = rawSqsRecord('nope');
    const failingPaymentId = randomUUID();
    const failing = sqsRecord(
      paymentEvent(PaymentCreated, {
        eventId: randomUUID(),
        occurredAt: new Date(),
        correlationId: 'c2',
        payment: { ...payment, id: failingPaymentId },
      }),
    );
    const retries = new RecordingRetries();
    const handled: string[] = [];
    const response = await consumeEvents(sqsEvent(ok, poison, failing), undefined, {
      accepts: [PaymentCreated],
      retries,
      logger,
      handle: async (detail) => {
        if (detail.payment.id === failingPaymentId) throw new Error('transient');
        handled.push(detail.payment.id);
      },
    });
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [poison.messageId, failing.messageId].sort(),
    );
    expect(handled).toEqual([payment.id]);
    expect(retries.delayed).toEqual([failing.messageId]);
  });

  it('reports a batch in which everything failed instead of throwing', async () => {
    const poison = rawSqsRecord('nope');
    const response = await consumeEvents(sqsEvent(poison), undefined, {
      accepts: [PaymentCreated],
      retries: new RecordingRetries(),
      logger,
      handle: async () => {},
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: poison.messageId }]);
  });

  it('tells onPoison of each poison message (the worker counts them in a metric), and only of those', async () => {
    let poisoned = 0;
    const response = await consumeEvents(sqsEvent(rawSqsRecord('nope'), rawSqsRecord('{}')), undefined, {
      accepts: [PaymentCreated],
      retries: new RecordingRetries(),
      logger,
      handle: async () => {
        throw new Error('not reached');
      },
      onPoison: () => {
        poisoned += 1;
      },
    });
    expect(response.batchItemFailures).toHaveLength(2);
    expect(poisoned).toBe(2);
  });
});

describe('consumeEvents logging', () => {
  /** A Logger that records what it was asked to log. */
  function recordingLogger() {
    const entries: { level: string; message: string; fields: Record<string, unknown> }[] = [];
    const sink = Object.fromEntries(
      (['info', 'warn', 'error'] as const).map((level) => [
        level,
        (message: string, fields: Record<string, unknown>) => entries.push({ level, message, fields }),
      ]),
    ) as unknown as Logger;
    return { sink, entries };
  }

  it('logs an expected retry (another attempt holds the side effect) at INFO, one line, no stack', async () => {
    const { sink, entries } = recordingLogger();
    await consumeEvents(sqsEvent(sqsRecord(created)), undefined, {
      accepts: [PaymentCreated],
      retries: new RecordingRetries(),
      logger: sink,
      handle: async () => {
        throw new SideEffectInProgressError('charge:p1 is in progress elsewhere', 30);
      },
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 'info',
      message: 'Message will be retried',
      fields: { reason: 'SideEffectInProgressError: charge:p1 is in progress elsewhere' },
    });
    expect(JSON.stringify(entries[0])).not.toMatch(/stack|\n/);
  });

  it('logs an unexpected failure at WARN with the error', async () => {
    const { sink, entries } = recordingLogger();
    const boom = new Error('boom');
    await consumeEvents(sqsEvent(sqsRecord(created)), undefined, {
      accepts: [PaymentCreated],
      retries: new RecordingRetries(),
      logger: sink,
      handle: async () => {
        throw boom;
      },
    });
    expect(entries).toEqual([
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ error: boom }) }),
    ]);
  });
});

describe('recordLog', () => {
  it("adds the record's keys to every entry, at the level asked for", () => {
    const entries: [string, string, unknown][] = [];
    const sink = Object.fromEntries(
      (['info', 'warn', 'error'] as const).map((level) => [
        level,
        (message: string, fields: unknown) => entries.push([level, message, fields]),
      ]),
    ) as unknown as Logger;
    const log = recordLog(sink, { correlation_id: 'c1', message_id: 'm1' });
    log.info('done', { payment_id: 'p1' });
    log.warn('retry');
    expect(entries).toEqual([
      ['info', 'done', { correlation_id: 'c1', message_id: 'm1', payment_id: 'p1' }],
      ['warn', 'retry', { correlation_id: 'c1', message_id: 'm1' }],
    ]);
  });
});
