// Every name the platform gives a thing, in one place (docs/architecture.md, "Names"). A function, queue,
// rule or schedule has one id: its key in lib/topology.ts. The spellings AWS, the local runtime, the logs
// and the ops CLI need are derived from that key here, never typed again elsewhere. Plain strings only:
// the stack, the handlers, the local runtime, the ops CLI and the tests all import this module.

/** `paymentWorker` -> `payment-worker`. */
export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const alphanumeric = (key: string) => key.replace(/[^A-Za-z0-9]/g, '');

/** Derived names of topology entries. */
export const names = {
  /** A function's handler module, relative to the repository root (it exports `handler`). */
  handlerEntry: (fn: string) => `lambdas/${kebab(fn)}/handler.ts`,
  /** A function's Powertools service: the `service` key of its logs and the dimension of its metrics. */
  service: (fn: string) => kebab(fn),
  /** EventBridge `source` of the events a function emits. */
  eventSource: (fn: string) => `payments.${kebab(fn)}`,
  /** What a stage calls a function, bus, alarm or dashboard in AWS; the local runtime is stage `local`. */
  inStage: (stage: string, key: string) => `payments-${stage}-${kebab(key)}`,
  /**
   * What a stage calls the resources it has one of (database instance, RDS Proxy, REST API, dashboard). Any
   * fixed physical name carries the stage, so two stages can share an account and region.
   */
  stageResource: (stage: string) => `payments-${stage}`,
  /** A stage's CloudWatch alarm; `name` is Observability's id for it, kept as written so names stay stable. */
  alarm: (stage: string, name: string) => `payments-${stage}-${name}`,
  /** The local runtime's name for a queue's dead-letter queue. */
  deadLetterQueue: (queue: string) => `${queue}-dlq`,
  /** EventBridge targets with a dead-letter queue of their own: each bus rule, and each schedule. */
  ruleTarget: (rule: string) => rule,
  scheduleTarget: (schedule: string) => `Schedule-${schedule}`,
  /** A stage's Glue database of the analytics exports (Glue and Athena want lowercase and underscores). */
  glueDatabase: (stage: string) => `payments_analytics_${stage}`,
  /** A stage's WAF log group: WAF delivers only to groups named `aws-waf-logs-*`. */
  wafLogGroup: (stage: string) => `aws-waf-logs-payments-${stage}`,
  /**
   * A function's PostgreSQL role (docs/architecture.md, "Database roles"): `paymentWorker` ->
   * `payments_payment_worker`. Roles are cluster-wide, so every stage's and test database's share them.
   */
  databaseRole: (fn: string) => `payments_${kebab(fn).replace(/-/g, '_')}`,
  /** The ops CLI's read-only PostgreSQL role (its reports). */
  opsDatabaseRole: 'payments_ops_readonly',
} as const;

/** CloudWatch namespace of the Powertools metrics in AWS. */
export const METRICS_NAMESPACE = 'Payments';

/** The business metrics the functions emit and the dashboard draws. */
export const METRICS = {
  paymentsCreated: 'PaymentsCreated',
  paymentsSucceeded: 'PaymentsSucceeded',
  paymentsFailed: 'PaymentsFailed',
  notificationsSent: 'NotificationsSent',
  notificationEventsAccepted: 'NotificationEventsAccepted',
  notificationEventsProcessed: 'NotificationEventsProcessed',
  /** Messages a worker refused as poison (sent to the DLQ at once, without retries). */
  poisonMessages: 'PoisonMessages',
  riskAssessed: 'RiskAssessed',
  riskBlocked: 'RiskBlocked',
  riskLevelNormal: 'RiskLevelNormal',
  riskLevelElevated: 'RiskLevelElevated',
  riskLevelHighest: 'RiskLevelHighest',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** The per-level count of risk assessments: `elevated` -> `RiskLevelElevated`. */
export function riskLevelMetric(level: 'normal' | 'elevated' | 'highest'): MetricName {
  return {
    normal: METRICS.riskLevelNormal,
    elevated: METRICS.riskLevelElevated,
    highest: METRICS.riskLevelHighest,
  }[level];
}
/** Operational metrics the alarms watch (not business counts, so not on the business widget). */
export const HEALTH_METRICS = {
  /** Age of the oldest unpublished outbox row, reported by the always-on relay every 15 s. */
  outboxOldestUnpublishedSeconds: 'OutboxOldestUnpublishedSeconds',
  /** Rows a retention run deleted. */
  retentionRowsDeleted: 'RetentionRowsDeleted',
  /** One per successful analytics run; none for 2 hours alarms. */
  analyticsRunSucceeded: 'AnalyticsRunSucceeded',
  /** Terminal payments whose facts an analytics run rewrote. */
  analyticsPaymentsProcessed: 'AnalyticsPaymentsProcessed',
} as const;

/**
 * Stack output keys, as CloudFormation exposes them (it drops every non-alphanumeric character of an
 * output's id, so the ids are made alphanumeric here and id and key are the same string).
 */
export const STACK_OUTPUTS = {
  apiUrl: 'ApiUrl',
  eventBusName: 'EventBusName',
  alarmTopicArn: 'AlarmTopicArn',
  dashboardName: 'DashboardName',
  jwtSecretArn: 'JwtSecretArn',
  databaseSecretArn: 'DatabaseSecretArn',
  databaseProxyEndpoint: 'DatabaseProxyEndpoint',
  databaseClientSecurityGroupId: 'DatabaseClientSecurityGroupId',
  analyticsBucketName: 'AnalyticsBucketName',
  analyticsGlueDatabase: 'AnalyticsGlueDatabase',
  analyticsAthenaWorkGroup: 'AnalyticsAthenaWorkGroup',
  queueUrl: (queue: string) => `QueueUrl${alphanumeric(queue)}`,
  deadLetterQueueUrl: (queue: string) => `DeadLetterQueueUrl${alphanumeric(queue)}`,
  targetDeadLetterQueueUrl: (target: string) => `TargetDeadLetterQueueUrl${alphanumeric(target)}`,
} as const;
