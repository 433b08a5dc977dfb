import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { names } from '../names';
import type { StageConfig } from '../stage-config';
import type { RuleSpec } from '../topology';
import type { PlatformFunction } from './platform-function';
import type { WorkQueue } from './work-queue';

/** How long EventBridge keeps retrying a target before the event goes to the rule's own DLQ. */
const TARGET_RETRY = { retryAttempts: 185, maxEventAge: Duration.hours(24) };

/**
 * The custom bus, its archive (for replay), and the topology's rules to queues. Each rule target
 * has a retry policy and its own dead-letter queue, so an event EventBridge cannot deliver is kept.
 */
export class EventBus extends Construct {
  readonly bus: events.EventBus;
  /** Dead-letter queues of rule targets (alarmed by Observability). */
  readonly targetDeadLetterQueues: Record<string, sqs.Queue> = {};

  constructor(scope: Construct, id: string, props: { config: StageConfig; name: string }) {
    super(scope, id);
    const { config } = props;
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `${props.name}-${config.stage}` });
    // Archives are not in LocalStack's free tier; in AWS every event is kept for replay.
    if (config.target === 'aws') {
      this.bus.archive('Archive', {
        description: 'Every event on the payments bus, for replay',
        eventPattern: { account: [this.bus.env.account] },
        retention: Duration.days(config.stage === 'prod' ? 365 : 30),
      });
    }
  }

  /** Routes a topology rule to its queue. */
  route(name: string, spec: RuleSpec, destination: WorkQueue): events.Rule {
    const deadLetterQueue = this.createTargetDeadLetterQueue(names.ruleTarget(name));
    const rule = new events.Rule(this, `Rule-${name}`, {
      eventBus: this.bus,
      description: spec.description,
      eventPattern: { source: [...spec.pattern.source], detailType: [...spec.pattern['detail-type']] },
    });
    rule.addTarget(new targets.SqsQueue(destination.queue, { deadLetterQueue, ...TARGET_RETRY }));
    return rule;
  }

  /** A dead-letter queue for an EventBridge target (lib/names.ts names them), alarmed by Observability. */
  createTargetDeadLetterQueue(name: string): sqs.Queue {
    const queue = new sqs.Queue(this, `TargetDeadLetters-${name}`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue (of an EventBridge target); it needs none of its own.',
    });
    this.targetDeadLetterQueues[name] = queue;
    return queue;
  }

  /** The right to put events on this bus, and only this bus. */
  grantPublish(fn: PlatformFunction): void {
    this.bus.grantPutEventsTo(fn.role);
    fn.addEnvironment({ EVENT_BUS_NAME: this.bus.eventBusName });
  }
}
