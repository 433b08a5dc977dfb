import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { EventContract } from '../events';
import { parseEnvelope } from '../events/envelope';
import { isExpectedRetry } from '../use-cases/errors';
import type { RetryScheduler } from './visibility-backoff';

/** A message no retry can fix (not an event, an event this worker does not take, a bad detail): DLQ. */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}

/** Reads an SQS body holding an EventBridge event and validates its detail against the accepted contracts. */
export function parseEventRecord<Detail>(
  record: Pick<SQSRecord, 'body'>,
  accepts: readonly EventContract<string, Detail>[],
): Detail {
  const parsed = parseEnvelope(record.body);
  if (!parsed.ok) throw new PoisonMessageError(parsed.problem);
  const { source, 'detail-type': detailType, detail } = parsed.envelope;
  const contract = accepts.find((c) => c.detailType === detailType && c.source === source);
  if (!contract) throw new PoisonMessageError(`unexpected event ${source}/${detailType}`);
  const valid = contract.schema.safeParse(detail);
  if (!valid.success) {
    const issues = valid.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new PoisonMessageError(`invalid ${contract.detailType} detail: ${issues}`);
  }
  return valid.data;
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
  handle(detail: Detail, log: RecordLog): Promise<void>;
  retries: RetryScheduler;
  logger: Logger;
  /** Told of each poison message (the worker mechanism counts them in a metric). */
  onPoison?: () => void;
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
  const processRecord = async (record: SQSRecord) => {
    let detail: Detail;
    try {
      detail = parseEventRecord(record, options.accepts);
    } catch (error) {
      options.logger.error('Poison message refused; it goes to the DLQ', {
        message_id: record.messageId,
        error: error as Error,
      });
      options.onPoison?.();
      await options.retries.exhaust(record);
      throw error;
    }
    const log = recordLog(options.logger, {
      correlation_id: detail.correlation_id,
      message_id: record.messageId,
    });
    try {
      await options.handle(detail, log);
    } catch (error) {
      const delaySeconds = await options.retries.delay(
        record,
        (error as { retryAfterSeconds?: number }).retryAfterSeconds,
      );
      const retry = {
        receive_count: record.attributes?.ApproximateReceiveCount,
        retry_in_seconds: delaySeconds,
      };
      if (isExpectedRetry(error)) {
        const { name, message } = error as Error;
        log.info('Message will be retried', { reason: `${name}: ${message}`, ...retry });
      } else {
        log.warn('Message failed; it will be retried', { error: error as Error, ...retry });
      }
      throw error;
    }
  };
  // One processor per invocation: it keeps per-batch state.
  const processor = new BatchProcessor(EventType.SQS);
  return processPartialResponse(event, processRecord, processor, {
    ...(context ? { context } : {}),
    throwOnFullBatchFailure: false,
  });
}
