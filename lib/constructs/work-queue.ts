import { Duration } from 'aws-cdk-lib';
import * as lambdaEvents from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionSpec, QueueSpec } from '../topology';
import { DEAD_LETTER_RETENTION_DAYS } from '../topology';
import type { PlatformFunction } from './platform-function';

/**
 * A topology queue, its dead-letter queue and its consumer's event source. Both queues are
 * encrypted (SQS-managed keys, which EventBridge can write to) and refuse plain HTTP.
 */
export class WorkQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: { spec: QueueSpec },
  ) {
    super(scope, id);
    const { spec } = props;
    if (spec.retentionDays >= DEAD_LETTER_RETENTION_DAYS) {
      throw new Error(
        `Queue ${id}: retention ${spec.retentionDays} days must be under its DLQ's ${DEAD_LETTER_RETENTION_DAYS} (a dead-lettered message keeps its enqueue time)`,
      );
    }
    const retention = Duration.days(spec.retentionDays);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(DEAD_LETTER_RETENTION_DAYS),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: retention,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
    });
  }

  /**
   * Wires the consumer: partial batch failures, bounded concurrency, and the right to change a
   * message's visibility (the workers back transient failures off themselves).
   */
  consumeWith(consumer: PlatformFunction, consumerSpec: FunctionSpec): void {
    const { spec } = this.props;
    if (spec.visibilityTimeoutSeconds < 6 * consumerSpec.timeoutSeconds) {
      throw new Error(
        `Queue ${this.node.id}: visibility timeout ${spec.visibilityTimeoutSeconds}s is under 6x its consumer's ${consumerSpec.timeoutSeconds}s`,
      );
    }
    this.queue.grantConsumeMessages(consumer.role);
    consumer.function.addEventSource(
      new lambdaEvents.SqsEventSource(this.queue, {
        batchSize: spec.batchSize,
        maxBatchingWindow:
          spec.maxBatchingWindowSeconds > 0 ? Duration.seconds(spec.maxBatchingWindowSeconds) : undefined,
        maxConcurrency: spec.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }
}
