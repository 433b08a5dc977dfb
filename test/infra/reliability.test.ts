import type { Template } from 'aws-cdk-lib/assertions';
import { backoffSeconds, DEFAULT_BACKOFF } from '../../lambdas/shared/sqs-worker/visibility-backoff';
import { names } from '../../lib/names';
import { topology } from '../../lib/topology';
import { environmentOf, logicalIdWhere, type Resource, resourcesOfType, synthesize } from './support/synth';

// How long the platform keeps trying before it gives a message up, and how long it keeps what it gave up.

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Seconds from a message's first receive to its last when every attempt fails: the workers delay
 * receive n by backoffSeconds(n) (lambdas/shared/sqs-worker/visibility-backoff.ts), and SQS moves the
 * message to the DLQ instead of delivering receive maxReceiveCount + 1. An outage shorter than this
 * costs a payment nothing but time. `jitter` 0 is the shortest draw of the equal jitter, ~1 the longest.
 */
function retryWindowSeconds(maxReceiveCount: number, jitter: number): number {
  let seconds = 0;
  for (let receive = 1; receive < maxReceiveCount; receive++) {
    seconds += backoffSeconds(receive, { ...DEFAULT_BACKOFF, random: () => jitter });
  }
  return seconds;
}

let template: Template;
beforeAll(() => {
  template = synthesize({ stage: 'dev', target: 'aws' }).template;
});

const queueNames = Object.keys(topology.queues) as Array<keyof typeof topology.queues>;

describe('retries before the DLQ', () => {
  it.each(queueNames)('%s: a message survives a downstream outage of at least an hour', (name) => {
    const { maxReceiveCount } = topology.queues[name];
    expect(retryWindowSeconds(maxReceiveCount, 0)).toBeGreaterThanOrEqual(HOUR);
    // ...and not for ever: an outage of a few hours still ends in the DLQ and its alarm.
    expect(retryWindowSeconds(maxReceiveCount, 0.999_999)).toBeLessThanOrEqual(3 * HOUR);
  });

  it('the first retries stay fast: four retries within about a minute', () => {
    expect(retryWindowSeconds(5, 0.999_999)).toBeLessThanOrEqual(80);
  });

  it.each(queueNames)('%s: the queue keeps a message far longer than its retries take', (name) => {
    const { maxReceiveCount, retentionDays } = topology.queues[name];
    expect(retentionDays * DAY).toBeGreaterThan(10 * retryWindowSeconds(maxReceiveCount + 1, 0.999_999));
  });

  it.each(queueNames)('%s: the template carries the topology maxReceiveCount', (name) => {
    const queues = Object.values(resourcesOfType(template, 'AWS::SQS::Queue')).filter(
      (q: Resource) => q.Properties!.RedrivePolicy !== undefined,
    );
    const counts = queues.map(
      (q) => (q.Properties!.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount,
    );
    expect(counts).toContain(topology.queues[name].maxReceiveCount);
  });
});

describe('retention', () => {
  const withDeadLetters = () =>
    Object.entries(resourcesOfType(template, 'AWS::SQS::Queue')).filter(
      ([, q]) => q.Properties!.RedrivePolicy !== undefined,
    );

  it('every work queue keeps messages for less time than its DLQ, which keeps them 14 days', () => {
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    expect(withDeadLetters()).toHaveLength(queueNames.length);
    for (const [id, queue] of withDeadLetters()) {
      const redrive = queue.Properties!.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': [string] } };
      const dlq = queues[redrive.deadLetterTargetArn['Fn::GetAtt'][0]]!;
      // A dead-lettered message keeps its original enqueue time: the DLQ must outlive the source queue.
      expect(dlq.Properties!.MessageRetentionPeriod).toBe(14 * DAY);
      const source = queue.Properties!.MessageRetentionPeriod as number;
      expect({ id, shorterThanDlq: source < (dlq.Properties!.MessageRetentionPeriod as number) }).toEqual({
        id,
        shorterThanDlq: true,
      });
    }
  });
});

describe('schedules', () => {
  it.each(Object.entries(topology.schedules))(
    '%s: a missed tick is not retried (the next sweep supersedes it) but still kept in its DLQ',
    (_name, spec) => {
      const functionId = logicalIdWhere(
        template,
        'AWS::Lambda::Function',
        (r) => environmentOf(r).POWERTOOLS_SERVICE_NAME === names.service(spec.function),
      );
      const rules = Object.values(resourcesOfType(template, 'AWS::Events::Rule')).filter(
        (r) => r.Properties!.ScheduleExpression !== undefined,
      );
      const targets = rules.flatMap((r) => r.Properties!.Targets as Array<Record<string, unknown>>);
      const target = targets.find(
        (t) => JSON.stringify(t.Arn) === JSON.stringify({ 'Fn::GetAtt': [functionId, 'Arn'] }),
      );
      expect(target?.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 0 });
      expect(target?.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } });
      // Nor does Lambda retry a failed sweep (its asynchronous invocations retry twice by default).
      const invokeConfigs = Object.values(resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig')).filter(
        (c) => JSON.stringify(c.Properties!.FunctionName) === JSON.stringify({ Ref: functionId }),
      );
      expect(invokeConfigs).toHaveLength(1);
      expect(invokeConfigs[0]!.Properties).toMatchObject({ MaximumRetryAttempts: 0 });
    },
  );
});
