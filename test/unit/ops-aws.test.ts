import { randomUUID } from 'node:crypto';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type DeleteMessageBatchCommandInput,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { PaymentCreated, PaymentSucceeded } from '../../lambdas/shared/events';
import { toEnvelope } from '../../lambdas/shared/events/envelope';
import { AwsOpsBackend } from '../../scripts/ops/aws-backend';
import { runOps } from '../../scripts/ops/cli';
import { discoverStack, type StackResources } from '../../scripts/ops/stack-outputs';

const sqs = mockClient(SQSClient);
const eventBridge = mockClient(EventBridgeClient);
const cloudFormation = mockClient(CloudFormationClient);

const url = (name: string) => `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`;
const arn = (name: string) => `arn:aws:sqs:eu-west-1:123456789012:${name}`;

/** The outputs lib/payments-stack.ts declares, as CloudFormation reports them (ids without dashes). */
const stackOutputs = [
  { OutputKey: 'EventBusName', OutputValue: 'payments-dev' },
  { OutputKey: 'ApiUrl', OutputValue: 'https://api.example/prod/' },
  { OutputKey: 'DeadLetterQueueUrlpayments', OutputValue: url('payments-dlq') },
  { OutputKey: 'DeadLetterQueueUrlnotifications', OutputValue: url('notifications-dlq') },
  { OutputKey: 'QueueUrlpayments', OutputValue: url('payments') },
  { OutputKey: 'QueueUrlnotifications', OutputValue: url('notifications') },
  { OutputKey: 'DeadLetterQueueUrlnotificationRequests', OutputValue: url('notification-requests-dlq') },
  { OutputKey: 'QueueUrlnotificationRequests', OutputValue: url('notification-requests') },
  { OutputKey: 'DeadLetterQueueUrlrisk', OutputValue: url('risk-dlq') },
  { OutputKey: 'QueueUrlrisk', OutputValue: url('risk') },
  { OutputKey: 'TargetDeadLetterQueueUrlpaymentCreatedToRisk', OutputValue: url('created-target-dlq') },
  { OutputKey: 'TargetDeadLetterQueueUrlriskAssessedToPayments', OutputValue: url('assessed-target-dlq') },
  {
    OutputKey: 'TargetDeadLetterQueueUrlpaymentOutcomeToNotifications',
    OutputValue: url('outcome-target-dlq'),
  },
  {
    OutputKey: 'TargetDeadLetterQueueUrlnotificationRequestedToNotificationRequests',
    OutputValue: url('requested-target-dlq'),
  },
  { OutputKey: 'TargetDeadLetterQueueUrlScheduleoutboxRelay', OutputValue: url('schedule-target-dlq') },
];

const stack: StackResources = {
  stackName: 'Payments-dev',
  busName: 'payments-dev',
  queues: {
    payments: { url: url('payments'), deadLetterUrl: url('payments-dlq') },
    notifications: { url: url('notifications'), deadLetterUrl: url('notifications-dlq') },
    notificationRequests: {
      url: url('notification-requests'),
      deadLetterUrl: url('notification-requests-dlq'),
    },
    risk: { url: url('risk'), deadLetterUrl: url('risk-dlq') },
  },
  targetDeadLetterUrls: {
    paymentCreatedToRisk: url('created-target-dlq'),
    riskAssessedToPayments: url('assessed-target-dlq'),
    paymentOutcomeToNotifications: url('outcome-target-dlq'),
    notificationRequestedToNotificationRequests: url('requested-target-dlq'),
    'Schedule-outboxRelay': url('schedule-target-dlq'),
  },
};

const backend = (sleeps: number[] = []) =>
  new AwsOpsBackend({
    sqs: new SQSClient({}),
    eventBridge: new EventBridgeClient({}),
    stack,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => 0,
  });

/** Every queue answers with its own ARN and the given depth. */
function queueDepths(depths: Record<string, number>) {
  sqs.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl: string }) => {
    const name = input.QueueUrl.split('/').pop()!;
    return {
      Attributes: {
        QueueArn: arn(name),
        ApproximateNumberOfMessages: String(depths[name] ?? 0),
        ApproximateNumberOfMessagesNotVisible: '0',
      },
    };
  });
}

function eventMessage(detailType: string, source: string, extra: Partial<Message> = {}): Message {
  const paymentId = randomUUID();
  const body = toEnvelope({
    id: randomUUID(),
    detailType,
    source,
    account: '123456789012',
    region: 'eu-west-1',
    time: new Date('2026-03-01T10:00:00Z'),
    detail: { event_id: randomUUID(), payment: { id: paymentId, amount: 1999 } },
  });
  return {
    MessageId: randomUUID(),
    ReceiptHandle: `rh-${randomUUID()}`,
    Body: JSON.stringify(body),
    Attributes: { SentTimestamp: '1772359200000', ApproximateReceiveCount: '1' },
    ...extra,
  };
}

beforeEach(() => {
  sqs.reset();
  eventBridge.reset();
  cloudFormation.reset();
});

describe('stack output discovery', () => {
  it('finds the bus, every queue and DLQ, and the target DLQs (output ids lose their dashes)', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Payments-dev',
          Outputs: stackOutputs,
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
        },
      ],
    });
    const found = await discoverStack(new CloudFormationClient({}), 'Payments-dev');
    expect(found).toEqual(stack);
    expect(cloudFormation.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({
      StackName: 'Payments-dev',
    });
  });

  it('skips target DLQs an older stack does not output, and refuses a stack without the queue outputs', async () => {
    const old = stackOutputs.filter(
      (o) => !o.OutputKey.startsWith('Target') && !o.OutputKey.startsWith('QueueUrl'),
    );
    cloudFormation.on(DescribeStacksCommand).resolvesOnce({
      Stacks: [
        { StackName: 'Payments-dev', Outputs: old, CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE' },
      ],
    });
    const found = await discoverStack(new CloudFormationClient({}), 'Payments-dev');
    expect(found.targetDeadLetterUrls).toEqual({});
    expect(found.queues.payments).toEqual({ url: undefined, deadLetterUrl: url('payments-dlq') });

    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Other',
          Outputs: [{ OutputKey: 'EventBusName', OutputValue: 'x' }],
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
        },
      ],
    });
    await expect(discoverStack(new CloudFormationClient({}), 'Other')).rejects.toThrow(
      /no output DeadLetterQueueUrlpayments/,
    );
  });
});

describe('dlq list', () => {
  it('reports every DLQ depth and peeks samples (visibility 0) only where messages wait', async () => {
    queueDepths({ 'payments-dlq': 2, payments: 7, 'created-target-dlq': 1 });
    const failed = eventMessage(PaymentCreated.detailType, PaymentCreated.source);
    const undelivered = eventMessage(PaymentCreated.detailType, PaymentCreated.source, {
      MessageAttributes: {
        ERROR_CODE: { DataType: 'String', StringValue: 'SQS_QUEUE_PERMISSION_DENIED' },
        ERROR_MESSAGE: { DataType: 'String', StringValue: 'Access denied' },
      },
    });
    sqs.on(ReceiveMessageCommand, { QueueUrl: url('payments-dlq') }).resolves({ Messages: [failed] });
    sqs
      .on(ReceiveMessageCommand, { QueueUrl: url('created-target-dlq') })
      .resolves({ Messages: [undelivered] });

    const report = await backend().listDeadLetterQueues({ sample: 3 });
    expect(report.map((r) => [r.kind, r.name, r.depth, r.sourceDepth])).toEqual([
      ['queue', 'payments', 2, 7],
      ['queue', 'notifications', 0, 0],
      ['queue', 'notificationRequests', 0, 0],
      ['queue', 'risk', 0, 0],
      ['target', 'paymentCreatedToRisk', 1, undefined],
      ['target', 'riskAssessedToPayments', 0, undefined],
      ['target', 'paymentOutcomeToNotifications', 0, undefined],
      ['target', 'notificationRequestedToNotificationRequests', 0, undefined],
      ['target', 'Schedule-outboxRelay', 0, undefined],
    ]);
    const receives = sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input);
    expect(receives.map((r) => r.QueueUrl).sort()).toEqual([url('created-target-dlq'), url('payments-dlq')]);
    for (const r of receives) expect(r).toMatchObject({ VisibilityTimeout: 0, MaxNumberOfMessages: 3 });
    expect(report[0]!.samples[0]).toMatchObject({ messageId: failed.MessageId, receiveCount: 1 });
    expect(report[0]!.samples[0]!.sentAt).toEqual(new Date(1772359200000));
    expect(report.find((r) => r.name === 'paymentCreatedToRisk')!.samples[0]!.error).toBe(
      'SQS_QUEUE_PERMISSION_DENIED: Access denied',
    );
  });
});

describe('reading a DLQ (payments stuck)', () => {
  it('pages through distinct messages, then makes every one visible again', async () => {
    queueDepths({ 'payments-dlq': 12 });
    const messages = Array.from({ length: 12 }, () =>
      eventMessage(PaymentCreated.detailType, PaymentCreated.source),
    );
    const pages = [messages.slice(0, 10), [messages[3]!, ...messages.slice(10)], []];
    sqs.on(ReceiveMessageCommand).callsFake(() => ({ Messages: pages.shift() }));
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({});
    const read = await backend().readDeadLetters({ kind: 'queue', name: 'payments' }, 100);
    expect(read.depth).toBe(12);
    expect(read.messages.map((m) => m.messageId).sort()).toEqual(messages.map((m) => m.MessageId).sort());
    for (const call of sqs.commandCalls(ReceiveMessageCommand)) {
      expect(call.args[0].input.VisibilityTimeout).toBe(30);
    }
    const reset = sqs
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? []);
    expect(reset).toHaveLength(12);
    expect(reset.every((e) => e.VisibilityTimeout === 0)).toBe(true);
  });
});

describe('dlq redrive', () => {
  it('starts a message move task from the DLQ to its source queue at the given rate', async () => {
    queueDepths({ 'payments-dlq': 40 });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-handle-1' });
    const report = await backend().redrive('payments', { rate: 25 });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand).map((c) => c.args[0].input)).toEqual([
      { SourceArn: arn('payments-dlq'), DestinationArn: arn('payments'), MaxNumberOfMessagesPerSecond: 25 },
    ]);
    expect(report).toMatchObject({ queue: 'payments', taskHandle: 'task-handle-1', rate: 25, remaining: 40 });
  });

  it('refuses a rate SQS would refuse, before starting anything', async () => {
    queueDepths({});
    await expect(backend().redrive('payments', { rate: 501 })).rejects.toThrow(/1\.\.500/);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });

  it('reports the move tasks of the DLQ', async () => {
    queueDepths({ 'notifications-dlq': 3 });
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          Status: 'RUNNING',
          TaskHandle: 'task-2',
          ApproximateNumberOfMessagesMoved: 7,
          ApproximateNumberOfMessagesToMove: 10,
          MaxNumberOfMessagesPerSecond: 5,
          StartedTimestamp: 1772359200000,
          SourceArn: arn('notifications-dlq'),
        },
      ],
    });
    const status = await backend().redriveStatus('notifications');
    expect(sqs.commandCalls(ListMessageMoveTasksCommand)[0]!.args[0].input).toEqual({
      SourceArn: arn('notifications-dlq'),
      MaxResults: 10,
    });
    expect(status).toEqual({
      queue: 'notifications',
      depth: 3,
      tasks: [
        {
          status: 'RUNNING',
          taskHandle: 'task-2',
          moved: 7,
          toMove: 10,
          rate: 5,
          startedAt: new Date(1772359200000),
          failureReason: undefined,
        },
      ],
    });
  });
});

describe('dlq replay-target', () => {
  const targetUrl = url('outcome-target-dlq');

  it('re-puts each event as it was, deletes only what EventBridge accepted and keeps the rest', async () => {
    const accepted = eventMessage(PaymentSucceeded.detailType, PaymentSucceeded.source);
    const refused = eventMessage(PaymentSucceeded.detailType, PaymentSucceeded.source);
    const garbage: Message = { MessageId: randomUUID(), ReceiptHandle: 'rh-garbage', Body: 'not json' };
    sqs
      .on(ReceiveMessageCommand, { QueueUrl: targetUrl })
      .resolvesOnce({ Messages: [accepted, garbage, refused] })
      .resolves({ Messages: [] });
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: randomUUID() }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }],
    });
    sqs.on(DeleteMessageBatchCommand).callsFake((input: DeleteMessageBatchCommandInput) => ({
      Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id })),
      Failed: [],
    }));
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });

    const sleeps: number[] = [];
    const report = await backend(sleeps).replayTarget('paymentOutcomeToNotifications', { rate: 10 });

    const [put] = eventBridge
      .commandCalls(PutEventsCommand)
      .map((c) => c.args[0].input as PutEventsCommandInput);
    const original = JSON.parse(accepted.Body!);
    expect(put!.Entries).toHaveLength(2);
    expect(put!.Entries![0]).toEqual({
      EventBusName: 'payments-dev',
      Source: original.source,
      DetailType: original['detail-type'],
      Detail: JSON.stringify(original.detail),
      Time: new Date(original.time),
    });
    const deletes = sqs.commandCalls(DeleteMessageBatchCommand).map((c) => c.args[0].input);
    expect(deletes).toEqual([
      { QueueUrl: targetUrl, Entries: [{ Id: '0', ReceiptHandle: accepted.ReceiptHandle }] },
    ]);
    const visible = sqs
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? []);
    expect(visible.map((e) => [e.ReceiptHandle, e.VisibilityTimeout]).sort()).toEqual(
      [
        [garbage.ReceiptHandle, 0],
        [refused.ReceiptHandle, 0],
      ].sort(),
    );
    expect(report).toMatchObject({ received: 3, accepted: 1, deleted: 1, refused: 1, unparseable: 1 });
    expect(report.errors).toEqual(['ThrottlingException: slow down']);
    // 3 messages at 10/s: the batch takes at least 300 ms.
    expect(sleeps).toEqual([300]);
  });

  it('deletes nothing when PutEvents itself fails', async () => {
    const message = eventMessage(PaymentCreated.detailType, PaymentCreated.source);
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message] })
      .resolves({ Messages: [] });
    eventBridge.on(PutEventsCommand).rejects(new Error('AccessDeniedException'));
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({});
    const report = await backend().replayTarget('paymentCreatedToRisk', { rate: 10 });
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
    expect(report).toMatchObject({ received: 1, accepted: 0, refused: 1, deleted: 0 });
    expect(report.errors[0]).toMatch(/AccessDeniedException/);
  });

  it('stops at --limit', async () => {
    const messages = Array.from({ length: 10 }, () =>
      eventMessage(PaymentCreated.detailType, PaymentCreated.source),
    );
    sqs.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages: number }) => ({
      Messages: messages.splice(0, input.MaxNumberOfMessages),
    }));
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
      FailedEntryCount: 0,
      Entries: (input.Entries ?? []).map(() => ({ EventId: randomUUID() })),
    }));
    sqs.on(DeleteMessageBatchCommand).callsFake((input: DeleteMessageBatchCommandInput) => ({
      Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id })),
    }));
    const report = await backend().replayTarget('paymentCreatedToRisk', { rate: 100, limit: 4 });
    expect(report).toMatchObject({ received: 4, accepted: 4, deleted: 4 });
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input.MaxNumberOfMessages).toBe(4);
    expect(messages).toHaveLength(6);
  });
});

describe('npm run ops -- --target aws', () => {
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await runOps(argv, {
      env: {},
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      awsClients: () => ({
        sqs: new SQSClient({}),
        eventBridge: new EventBridgeClient({}),
        cloudFormation: new CloudFormationClient({}),
      }),
    });
    return { status, out: out.join('\n'), err: err.join('\n') };
  };

  it('lists the DLQs of the named stack', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Payments-prod' }).resolves({
      Stacks: [
        {
          StackName: 'Payments-prod',
          Outputs: stackOutputs,
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
        },
      ],
    });
    queueDepths({ 'notifications-dlq': 4 });
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    const { status, out } = await run([
      'dlq',
      'list',
      '--target',
      'aws',
      '--stack',
      'Payments-prod',
      '--json',
    ]);
    expect(status).toBe(0);
    const report = JSON.parse(out) as { name: string; depth: number }[];
    expect(report.find((r) => r.name === 'notifications')!.depth).toBe(4);
    expect(report).toHaveLength(9); // 4 queues, 4 rule targets and the one schedule target this stack lists
  });

  it('refuses an unknown queue and a schedule target for replay, touching nothing', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Payments-dev',
          Outputs: stackOutputs,
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
        },
      ],
    });
    const redrive = await run(['dlq', 'redrive', 'nope', '--target', 'aws']);
    expect(redrive.status).toBe(2);
    expect(redrive.err).toMatch(/Unknown queue nope/);
    const replay = await run(['dlq', 'replay-target', 'Schedule-outboxRelay', '--target', 'aws']);
    expect(replay.status).toBe(2);
    expect(replay.err).toMatch(/timer ticks/);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });

  it('says in one line (status 2) what is wrong with the usage: an unknown option, AWS without a region', async () => {
    const unknown = await run(['dlq', 'list', '--bogus']);
    expect(unknown.status).toBe(2);
    expect(unknown.err).toMatch(/^ops: Unknown option '--bogus'.*--help\)$/);
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('Region is missing'));
    const noRegion = await run(['dlq', 'list', '--target', 'aws']);
    expect(noRegion.status).toBe(2);
    expect(noRegion.err).toBe(
      'ops: --target aws needs a region: pass --region <region>, or set AWS_REGION (or a region in your AWS profile)',
    );
  });

  it('asks for a database URL before running SQL against AWS', async () => {
    const { status, err } = await run(['outbox', 'lag', '--target', 'aws']);
    expect(status).toBe(2);
    expect(err).toMatch(/--database-url/);
  });
});
