import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  backoffSeconds,
  queueUrlFromArn,
  SqsVisibilityBackoff,
} from '../../lambdas/shared/sqs-worker/visibility-backoff';
import { rawSqsRecord } from '../support/factories';

const sqs = mockClient(SQSClient);
const ARN = 'arn:aws:sqs:eu-west-1:123456789012:payments-queue';

describe('queueUrlFromArn', () => {
  it('builds the AWS queue URL from the ARN', () => {
    expect(queueUrlFromArn(ARN, undefined)).toBe(
      'https://sqs.eu-west-1.amazonaws.com/123456789012/payments-queue',
    );
  });
  it('builds the URL on AWS_ENDPOINT_URL_SQS when it is set (local runtime, LocalStack)', () => {
    expect(queueUrlFromArn(ARN, 'http://127.0.0.1:4566/')).toBe(
      'http://127.0.0.1:4566/123456789012/payments-queue',
    );
  });
  it('follows the endpoint the SDK uses: AWS_ENDPOINT_URL_SQS first, else AWS_ENDPOINT_URL (LocalStack)', () => {
    const saved = { sqs: process.env.AWS_ENDPOINT_URL_SQS, all: process.env.AWS_ENDPOINT_URL };
    try {
      delete process.env.AWS_ENDPOINT_URL_SQS;
      process.env.AWS_ENDPOINT_URL = 'http://localstack:4566';
      expect(queueUrlFromArn(ARN)).toBe('http://localstack:4566/123456789012/payments-queue');
      process.env.AWS_ENDPOINT_URL_SQS = 'http://127.0.0.1:3000';
      expect(queueUrlFromArn(ARN)).toBe('http://127.0.0.1:3000/123456789012/payments-queue');
      delete process.env.AWS_ENDPOINT_URL_SQS;
      delete process.env.AWS_ENDPOINT_URL;
      expect(queueUrlFromArn(ARN)).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/payments-queue');
    } finally {
      for (const [key, value] of [
        ['AWS_ENDPOINT_URL_SQS', saved.sqs],
        ['AWS_ENDPOINT_URL', saved.all],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
  it('refuses anything that is not an SQS ARN', () => {
    expect(() => queueUrlFromArn('arn:aws:sns:eu-west-1:1:topic', undefined)).toThrow(/not an SQS queue ARN/);
  });
});

describe('backoffSeconds', () => {
  const policy = (r: number) => ({ baseSeconds: 5, maxSeconds: 900, random: () => r });
  it('grows exponentially with the receive count, with jitter within [ceiling/2, ceiling]', () => {
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n, policy(1)))).toEqual([5, 10, 20, 40]);
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n, policy(0)))).toEqual([3, 5, 10, 20]);
  });
  it('is capped, and never below one second', () => {
    expect(backoffSeconds(50, policy(1))).toBe(900);
    expect(backoffSeconds(1, { baseSeconds: 1, maxSeconds: 1, random: () => 0 })).toBe(1);
  });
});

describe('SqsVisibilityBackoff', () => {
  const saved = process.env.AWS_ENDPOINT_URL_SQS;
  beforeEach(() => {
    sqs.reset();
    delete process.env.AWS_ENDPOINT_URL_SQS;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SQS;
    else process.env.AWS_ENDPOINT_URL_SQS = saved;
  });

  it('changes the visibility of the failed message from its receive count', async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const record = { ...rawSqsRecord('{}', { receiveCount: 3 }), eventSourceARN: ARN };
    const seconds = await new SqsVisibilityBackoff(new SQSClient({ region: 'eu-west-1' }), {
      baseSeconds: 5,
      maxSeconds: 900,
      random: () => 1,
    }).delay(record);
    expect(seconds).toBe(20);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input).toEqual({
      QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/payments-queue',
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: 20,
    });
  });

  it('waits at least as long as the failure asked, when that is longer than the backoff', async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const record = { ...rawSqsRecord('{}', { receiveCount: 1 }), eventSourceARN: ARN };
    const backoff = new SqsVisibilityBackoff(new SQSClient({ region: 'eu-west-1' }), {
      baseSeconds: 5,
      maxSeconds: 900,
      random: () => 1,
    });
    expect(await backoff.delay(record, 31)).toBe(31);
    expect(await backoff.delay(record, 2)).toBe(5);
    expect(
      sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input.VisibilityTimeout),
    ).toEqual([31, 5]);
  });

  it('makes poison visible at once, so its receives run out and SQS dead-letters it', async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const record = { ...rawSqsRecord('nope', { receiveCount: 1 }), eventSourceARN: ARN };
    await new SqsVisibilityBackoff(new SQSClient({ region: 'eu-west-1' })).exhaust(record);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input).toMatchObject({
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: 0,
    });
  });

  it('uses the local endpoint in the queue URL when AWS_ENDPOINT_URL_SQS is set', async () => {
    process.env.AWS_ENDPOINT_URL_SQS = 'http://localhost:3001';
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    await new SqsVisibilityBackoff(new SQSClient({ region: 'eu-west-1' })).delay({
      ...rawSqsRecord('{}'),
      eventSourceARN: ARN,
    });
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input.QueueUrl).toBe(
      'http://localhost:3001/123456789012/payments-queue',
    );
  });

  it('never throws when SQS refuses; it reports the error instead', async () => {
    sqs.on(ChangeMessageVisibilityCommand).rejects(new Error('ReceiptHandleIsInvalid'));
    const errors: unknown[] = [];
    const result = await new SqsVisibilityBackoff(new SQSClient({ region: 'eu-west-1' }), undefined, (e) =>
      errors.push(e),
    ).delay({
      ...rawSqsRecord('{}'),
      eventSourceARN: ARN,
    });
    expect(result).toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
