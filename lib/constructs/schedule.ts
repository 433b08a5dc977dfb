import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { names } from '../names';
import type { ScheduleSpec } from '../topology';
import type { EventBus } from './event-bus';
import type { PlatformFunction } from './platform-function';

/** EventBridge schedules cannot run more often than once a minute: round up, never down. */
export function scheduleMinutes(spec: ScheduleSpec): number {
  return Math.max(1, Math.ceil(spec.everySeconds / 60));
}

/**
 * A topology schedule: an EventBridge rate rule invoking its function. A tick that fails is not retried,
 * neither by EventBridge (delivery) nor by Lambda (the asynchronous invocation): the next tick's sweep
 * supersedes it, and a retry would only overlap it. A tick EventBridge could not deliver is kept in a DLQ.
 */
export class FunctionSchedule extends Construct {
  readonly rule: events.Rule;

  constructor(
    scope: Construct,
    id: string,
    props: { name: string; spec: ScheduleSpec; target: PlatformFunction; bus: EventBus },
  ) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: `Runs ${props.spec.function} every ${scheduleMinutes(props.spec)} minute(s)`,
      schedule: events.Schedule.rate(Duration.minutes(scheduleMinutes(props.spec))),
    });
    const freshFor = Duration.minutes(scheduleMinutes(props.spec));
    this.rule.addTarget(
      new targets.LambdaFunction(props.target.function, {
        retryAttempts: 0,
        maxEventAge: freshFor,
        deadLetterQueue: props.bus.createTargetDeadLetterQueue(names.scheduleTarget(props.name)),
      }),
    );
    // One schedule per function (topology); a second would need the same settings anyway.
    props.target.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: freshFor });
  }
}
