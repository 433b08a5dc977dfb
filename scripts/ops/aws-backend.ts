import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { QueueName } from '../../lib/topology';
import {
  type DeadLetterMessage,
  type DeadLetterQueueReport,
  type DeadLetterRef,
  type OpsBackend,
  OpsError,
  queueNames,
  type RedriveOptions,
  type RedriveReport,
  type RedriveStatus,
  type ReplayOptions,
  type ReplayReport,
  type RuleName,
} from './backend';
import { replayEntry } from './events';
import type { StackResources } from './stack-outputs';

// The ops commands against a deployed stage: SQS and EventBridge, queue URLs from the stack outputs.

/** SQS's own ceiling for a message move task's rate. */
export const MAX_MOVE_RATE = 500;
/** How long a message being replayed stays hidden from other readers. */
const REPLAY_VISIBILITY_SECONDS = 60;
/** Hidden while a scan pages through a DLQ; made visible again right after. */
const SCAN_VISIBILITY_SECONDS = 30;

const chunks = <T>(items: readonly T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

export interface AwsBackendOptions {
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
  stack: StackResources;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class AwsOpsBackend implements OpsBackend {
  readonly target = 'aws';
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: AwsBackendOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = options.now ?? Date.now;
  }

  private urlOf(ref: DeadLetterRef): string {
    const { stack } = this.options;
    const url =
      ref.kind === 'queue'
        ? stack.queues[ref.name as QueueName]?.deadLetterUrl
        : stack.targetDeadLetterUrls[ref.name];
    if (!url)
      throw new OpsError(`Stack ${stack.stackName} has no output for the ${ref.kind} DLQ ${ref.name}`);
    return url;
  }

  private async attributes(url: string) {
    const { Attributes = {} } = await this.options.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      arn: Attributes.QueueArn,
      depth: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  private receive(url: string, max: number, visibilityTimeout: number) {
    return this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
        VisibilityTimeout: visibilityTimeout,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
        MessageAttributeNames: ['All'],
      }),
    );
  }

  private async makeVisible(url: string, messages: readonly Message[]): Promise<void> {
    for (const batch of chunks(messages, 10)) {
      await this.options.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: batch.map((m, i) => ({
            Id: String(i),
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }

  async listDeadLetterQueues(options: { sample: number }): Promise<DeadLetterQueueReport[]> {
    const { stack } = this.options;
    const refs: DeadLetterRef[] = [
      ...queueNames.map((name) => ({ kind: 'queue' as const, name })),
      ...Object.keys(stack.targetDeadLetterUrls).map((name) => ({ kind: 'target' as const, name })),
    ];
    return Promise.all(
      refs.map(async (ref) => {
        const url = this.urlOf(ref);
        const { depth, inFlight } = await this.attributes(url);
        const sourceUrl = ref.kind === 'queue' ? stack.queues[ref.name as QueueName].url : undefined;
        const sourceDepth = sourceUrl ? (await this.attributes(sourceUrl)).depth : undefined;
        // A peek: visibility timeout 0 leaves the samples visible to a redrive or replay at once.
        const samples =
          depth > 0 && options.sample > 0
            ? ((await this.receive(url, options.sample, 0)).Messages ?? []).map(toDeadLetterMessage)
            : [];
        return { ...ref, depth, inFlight, sourceDepth, samples };
      }),
    );
  }

  async readDeadLetters(ref: DeadLetterRef, limit: number) {
    const url = this.urlOf(ref);
    const { depth } = await this.attributes(url);
    const seen = new Map<string, Message>();
    while (seen.size < Math.min(limit, depth)) {
      const { Messages = [] } = await this.receive(url, limit - seen.size, SCAN_VISIBILITY_SECONDS);
      const fresh = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const m of fresh) seen.set(m.MessageId!, m);
    }
    await this.makeVisible(url, [...seen.values()]);
    return { depth, messages: [...seen.values()].map(toDeadLetterMessage) };
  }

  async redrive(queue: QueueName, options: RedriveOptions): Promise<RedriveReport> {
    if (!(options.rate >= 1 && options.rate <= MAX_MOVE_RATE)) {
      throw new OpsError(`--rate must be 1..${MAX_MOVE_RATE} messages per second (SQS's limit)`);
    }
    const { queues } = this.options.stack;
    const dlq = await this.attributes(queues[queue].deadLetterUrl);
    // Without the source queue output, SQS moves each message back to the queue it came from.
    const destinationArn = queues[queue].url ? (await this.attributes(queues[queue].url!)).arn : undefined;
    const { TaskHandle } = await this.options.sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: dlq.arn,
        DestinationArn: destinationArn,
        MaxNumberOfMessagesPerSecond: options.rate,
      }),
    );
    return {
      queue,
      rate: options.rate,
      taskHandle: TaskHandle,
      sourceArn: dlq.arn,
      destinationArn,
      remaining: dlq.depth,
    };
  }

  async redriveStatus(queue: QueueName): Promise<RedriveStatus> {
    const dlq = await this.attributes(this.options.stack.queues[queue].deadLetterUrl);
    const { Results = [] } = await this.options.sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 10 }),
    );
    return {
      queue,
      depth: dlq.depth,
      tasks: Results.map((t) => ({
        status: t.Status ?? 'UNKNOWN',
        taskHandle: t.TaskHandle,
        moved: t.ApproximateNumberOfMessagesMoved,
        toMove: t.ApproximateNumberOfMessagesToMove,
        rate: t.MaxNumberOfMessagesPerSecond,
        startedAt: t.StartedTimestamp === undefined ? undefined : new Date(t.StartedTimestamp),
        failureReason: t.FailureReason,
      })),
    };
  }

  async cancelRedrive(taskHandle: string) {
    const { ApproximateNumberOfMessagesMoved } = await this.options.sqs.send(
      new CancelMessageMoveTaskCommand({ TaskHandle: taskHandle }),
    );
    return { moved: ApproximateNumberOfMessagesMoved };
  }

  /**
   * Re-puts the events a rule target's DLQ caught. A message is deleted only once EventBridge accepted
   * its event; refused and unparseable ones are made visible again for the next attempt.
   */
  async replayTarget(rule: RuleName, options: ReplayOptions): Promise<ReplayReport> {
    const url = this.urlOf({ kind: 'target', name: rule });
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const report: ReplayReport = {
      rule,
      received: 0,
      accepted: 0,
      refused: 0,
      unparseable: 0,
      deleted: 0,
      errors: [],
    };
    const kept: Message[] = [];
    const seen = new Set<string>();
    while (report.received < limit) {
      const startedAt = this.now();
      const { Messages = [] } = await this.receive(url, limit - report.received, REPLAY_VISIBILITY_SECONDS);
      const batch = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
      if (batch.length === 0) break;
      for (const m of batch) seen.add(m.MessageId!);
      report.received += batch.length;

      const entries = batch.map((m) => ({
        message: m,
        entry: replayEntry(m.Body ?? '', this.options.stack.busName),
      }));
      const parsed = entries.filter((e) => e.entry !== undefined);
      for (const e of entries) {
        if (!e.entry) {
          report.unparseable++;
          kept.push(e.message);
        }
      }
      if (parsed.length === 0) continue;
      let results: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
      try {
        ({ Entries: results = [] } = await this.options.eventBridge.send(
          new PutEventsCommand({ Entries: parsed.map((e) => e.entry!) }),
        ));
      } catch (error) {
        report.errors.push(`PutEvents failed: ${(error as Error).message}`);
        report.refused += parsed.length;
        kept.push(...parsed.map((e) => e.message));
        break;
      }
      const accepted: Message[] = [];
      parsed.forEach((e, i) => {
        const result = results[i];
        if (result?.EventId && !result.ErrorCode) {
          accepted.push(e.message);
        } else {
          report.refused++;
          kept.push(e.message);
          const why = `${result?.ErrorCode ?? 'NoResult'}: ${result?.ErrorMessage ?? 'no entry in the answer'}`;
          if (!report.errors.includes(why)) report.errors.push(why);
        }
      });
      report.accepted += accepted.length;
      if (accepted.length === 0) continue;
      const deleted = await this.options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: accepted.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      report.deleted += deleted.Successful?.length ?? 0;
      for (const f of deleted.Failed ?? []) report.errors.push(`DeleteMessage ${f.Code}: ${f.Message}`);
      // Rate: at most `rate` events per second, measured per batch.
      const budgetMs = (1000 * batch.length) / options.rate - (this.now() - startedAt);
      if (budgetMs > 0) await this.sleep(budgetMs);
    }
    await this.makeVisible(url, kept);
    return report;
  }

  async close(): Promise<void> {
    this.options.sqs.destroy();
    this.options.eventBridge.destroy();
  }
}

function toDeadLetterMessage(m: Message): DeadLetterMessage {
  const attribute = (name: string) => m.MessageAttributes?.[name]?.StringValue;
  const errorCode = attribute('ERROR_CODE');
  const errorMessage = attribute('ERROR_MESSAGE');
  return {
    messageId: m.MessageId ?? '',
    body: m.Body ?? '',
    sentAt: m.Attributes?.SentTimestamp ? new Date(Number(m.Attributes.SentTimestamp)) : undefined,
    receiveCount: m.Attributes?.ApproximateReceiveCount
      ? Number(m.Attributes.ApproximateReceiveCount)
      : undefined,
    error: errorCode || errorMessage ? [errorCode, errorMessage].filter(Boolean).join(': ') : undefined,
  };
}
