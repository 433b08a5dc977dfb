import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { awsClientConfig } from '../adapters/aws-client-config';
import { traced } from '../observability';

/** SQS refuses visibility timeouts above 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;

export interface BackoffPolicy {
  baseSeconds: number;
  maxSeconds: number;
  /** Uniform [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseSeconds: 5, maxSeconds: 15 * 60 };

/** Exponential backoff with equal jitter: receive 1 waits ~base, receive n ~base*2^(n-1), capped. */
export function backoffSeconds(receiveCount: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const random = policy.random ?? Math.random;
  const exponent = Math.max(0, Math.min(receiveCount, 30) - 1);
  const ceiling = Math.min(policy.maxSeconds, MAX_VISIBILITY_SECONDS, policy.baseSeconds * 2 ** exponent);
  return Math.max(1, Math.round(ceiling / 2 + random() * (ceiling / 2)));
}

/**
 * The queue URL for a record's `eventSourceARN` (arn:aws:sqs:REGION:ACCOUNT:NAME). When the SDK is
 * pointed at another endpoint (AWS_ENDPOINT_URL_SQS, or AWS_ENDPOINT_URL as LocalStack sets it for
 * every service), the URL is on that endpoint too, as the SDK resolves it.
 */
export function queueUrlFromArn(
  arn: string,
  endpoint: string | undefined = process.env.AWS_ENDPOINT_URL_SQS || process.env.AWS_ENDPOINT_URL,
): string {
  const [, , service, region, account, name] = arn.split(':');
  if (service !== 'sqs' || !region || !account || !name) throw new Error(`not an SQS queue ARN: ${arn}`);
  if (endpoint) return `${endpoint.replace(/\/+$/, '')}/${account}/${name}`;
  return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
}

/** Chooses when a failed record is delivered again. Never throws: failing to reschedule only means the queue's own visibility timeout applies. */
export interface RetryScheduler {
  /** A transient failure: later, by the receive count. `atLeastSeconds`: when a retry can first succeed. */
  delay(record: SQSRecord, atLeastSeconds?: number): Promise<number | undefined>;
  /**
   * Poison, which no retry fixes: at once, so it uses up its receives in seconds and SQS dead-letters it,
   * instead of after `maxReceiveCount` visibility timeouts (16 x 3 min) with its alarm waiting.
   */
  exhaust(record: SQSRecord): Promise<void>;
}

export class SqsVisibilityBackoff implements RetryScheduler {
  constructor(
    private readonly client: SQSClient = traced(new SQSClient(awsClientConfig)),
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly onError: (error: unknown, record: SQSRecord) => void = () => {},
  ) {}

  async delay(record: SQSRecord, atLeastSeconds = 0): Promise<number | undefined> {
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1;
    const seconds = Math.min(
      MAX_VISIBILITY_SECONDS,
      Math.max(backoffSeconds(receiveCount, this.policy), atLeastSeconds),
    );
    return (await this.changeVisibility(record, seconds)) ? seconds : undefined;
  }

  async exhaust(record: SQSRecord): Promise<void> {
    await this.changeVisibility(record, 0);
  }

  private async changeVisibility(record: SQSRecord, seconds: number): Promise<boolean> {
    try {
      await this.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrlFromArn(record.eventSourceARN),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
      return true;
    } catch (error) {
      this.onError(error, record);
      return false;
    }
  }
}
