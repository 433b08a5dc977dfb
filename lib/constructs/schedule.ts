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

/** A topology schedule: an EventBridge rate rule invoking its function, with retries and a DLQ. */
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
    this.rule.addTarget(
      new targets.LambdaFunction(props.target.function, {
        // A sweep that missed its minute is superseded by the next one: retry briefly, then keep it.
        retryAttempts: 2,
        maxEventAge: Duration.minutes(5),
        deadLetterQueue: props.bus.createTargetDeadLetterQueue(names.scheduleTarget(props.name)),
      }),
    );
  }
}
