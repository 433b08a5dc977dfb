import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { EventContract } from '../../events/envelope';
import type { OutboxDispatcher } from '../../use-cases/ports';
import { BatchedOutboxDispatcher } from '../../use-cases/publish-outbox';
import type { RetryScheduler } from './visibility-backoff';

/** A message no retry can fix (bad JSON, unknown event, schema mismatch): it fails and ends in the DLQ. */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}

export interface ReceivedEvent<Detail> {
  detailType: string;
  detail: Detail;
  messageId: string;
}

/** Parses an SQS body holding an EventBridge event and validates its detail against the accepted contracts. */
export function parseEventRecord<Detail>(
  record: Pick<SQSRecord, 'body' | 'messageId'>,
  accepts: readonly EventContract<string, Detail>[],
): ReceivedEvent<Detail> {
  let envelope: { source?: unknown; 'detail-type'?: unknown; detail?: unknown };
  try {
    envelope = JSON.parse(record.body);
  } catch {
    throw new PoisonMessageError('body is not JSON');
  }
  const contract = accepts.find(
    (c) => c.detailType === envelope?.['detail-type'] && c.source === envelope?.source,
  );
  if (!contract) {
    throw new PoisonMessageError(
      `unexpected event ${String(envelope?.source)}/${String(envelope?.['detail-type'])}`,
    );
  }
  const parsed = contract.schema.safeParse(envelope.detail);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new PoisonMessageError(`invalid ${contract.detailType} detail: ${issues}`);
  }
  return { detailType: contract.detailType, detail: parsed.data, messageId: record.messageId };
}

/** The logger's methods with the record's correlation and message ids added to every entry. */
export type RecordLog = Pick<Logger, 'info' | 'warn' | 'error'>;

/**
 * Not `logger.createChild`: a child Logger per record builds a new Console each time, which cost the
 * workers about 0.3 ms of CPU per message (docs/BENCHMARKS.md).
 */
export function recordLog(logger: Logger, keys: Record<string, unknown>): RecordLog {
  const withKeys =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, fields: Record<string, unknown> = {}) =>
      logger[level](message, { ...keys, ...fields });
  return { info: withKeys('info'), warn: withKeys('warn'), error: withKeys('error') } as RecordLog;
}

export interface ConsumeOptions<Detail> {
  accepts: readonly EventContract<string, Detail>[];
  /** `outbox` holds the events a record's work committed until the whole batch is done. */
  handle(event: ReceivedEvent<Detail>, log: RecordLog, outbox: OutboxDispatcher): Promise<void>;
  retries: RetryScheduler;
  logger: Logger;
  /** Publishes the batch's events together after the last record: one PutEvents per 10, not one per record. */
  outbox: OutboxDispatcher;
}

/**
 * Runs `handle` for every record with partial batch failures. Poison fails alone and is logged with
 * its message id; any other failure is rescheduled with backoff (visibility from the receive count).
 */
export async function consumeEvents<Detail extends { correlation_id: string }>(
  event: SQSEvent,
  context: Context | undefined,
  options: ConsumeOptions<Detail>,
): Promise<SQSBatchResponse> {
  const outbox = new BatchedOutboxDispatcher(options.outbox);
  const processRecord = async (record: SQSRecord) => {
    let received: ReceivedEvent<Detail>;
    try {
      received = parseEventRecord(record, options.accepts);
    } catch (error) {
      options.logger.error('Poison message refused', { message_id: record.messageId, error: error as Error });
      throw error;
    }
    const log = recordLog(options.logger, {
      correlation_id: received.detail.correlation_id,
      message_id: record.messageId,
    });
    try {
      await options.handle(received, log, outbox);
    } catch (error) {
      const delaySeconds = await options.retries.delay(
        record,
        (error as { retryAfterSeconds?: number }).retryAfterSeconds,
      );
      log.warn('Message failed; it will be retried', {
        error: error as Error,
        receive_count: record.attributes?.ApproximateReceiveCount,
        retry_in_seconds: delaySeconds,
      });
      throw error;
    }
  };
  // One processor per invocation: it keeps per-batch state.
  const processor = new BatchProcessor(EventType.SQS);
  const response = await processPartialResponse(event, processRecord, processor, {
    ...(context ? { context } : {}),
    throwOnFullBatchFailure: false,
  });
  await outbox.flush();
  return response;
}
