import {
  NotificationRequested,
  NotificationSent,
  PaymentCreated,
  PaymentFailed,
  PaymentSucceeded,
  RiskAssessed,
} from '../lambdas/shared/events';

/**
 * The platform as plain data. The CDK stack and the local runtime are both built by iterating this, so
 * the cloud and a laptop cannot drift apart (docs/architecture.md, "One topology, two runtimes"). Each
 * entry's key is its one id; lib/names.ts derives every other spelling of it (handler module, service,
 * event source, AWS names).
 */

export interface FunctionSpec {
  timeoutSeconds: number;
  memoryMb: number;
  /** Needs the database (VPC placement, credentials secret, RDS Proxy). */
  usesDatabase: boolean;
  /** Publishes to the bus. */
  publishesEvents: boolean;
}

// References between entries are keys; the generic parameter narrows them to this topology's keys.

export interface RouteSpec<Fn extends string = string> {
  method: 'GET' | 'POST';
  /** REST API resource path; `{name}` is a path parameter. */
  path: string;
  function: Fn;
  /** Guarded by the JWT Lambda authorizer. */
  authorized: boolean;
}

export interface QueueSpec<Fn extends string = string> {
  consumer: Fn;
  /** >= 6x the consumer's timeout (AWS guidance for Lambda event sources). */
  visibilityTimeoutSeconds: number;
  /**
   * Receives before SQS dead-letters a message. The workers back a failed message off by its receive count
   * (5 s doubling per receive, capped at 15 min), so 16 receives outlast a downstream outage of over an
   * hour (63 min with the shortest jitter) while the first retries stay seconds apart.
   */
  maxReceiveCount: number;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  maxConcurrency: number;
  /**
   * Under the DLQ's 14 days: a dead-lettered message keeps its original enqueue time, so the DLQ must keep
   * it longer than the source queue did (AWS guidance), leaving at least a week to inspect and redrive.
   */
  retentionDays: number;
}

/** The longest SQS retention; a DLQ must keep a message longer than its source queue did. */
export const DEAD_LETTER_RETENTION_DAYS = 14;

export interface RuleSpec<Queue extends string = string> {
  description: string;
  /** An EventBridge event pattern; the local runtime implements exactly the operators used here. */
  pattern: { source: readonly string[]; 'detail-type': readonly string[] };
  queue: Queue;
}

export interface ScheduleSpec<Fn extends string = string> {
  function: Fn;
  /** In AWS, rounded up to whole minutes (an EventBridge rate schedule's floor is one minute). */
  everySeconds: number;
  /** The local runtime sweeps more often so a demo never waits a minute. */
  localEverySeconds: number;
  /**
   * Each run keeps working until just before its function's timeout, which outlasts the interval, so the
   * next run has started before one stops and one is always running (the outbox relay). Runs overlap by
   * design; locally they start on the interval whatever the previous one is doing, and a stop ends them.
   */
  alwaysOn?: boolean;
}

const functions = {
  api: {
    timeoutSeconds: 10,
    memoryMb: 1024,
    usesDatabase: true,
    publishesEvents: true,
  },
  authorizer: {
    timeoutSeconds: 5,
    memoryMb: 512,
    usesDatabase: false,
    publishesEvents: false,
  },
  paymentWorker: {
    timeoutSeconds: 30,
    memoryMb: 1024,
    usesDatabase: true,
    publishesEvents: true,
  },
  notificationWorker: {
    timeoutSeconds: 30,
    memoryMb: 512,
    usesDatabase: true,
    publishesEvents: true,
  },
  outboxRelay: {
    // Runs until 10 s before this (RELAY_STOPS_BEFORE_DEADLINE_MS): 65 s, so consecutive runs overlap 5 s.
    timeoutSeconds: 75,
    memoryMb: 512,
    usesDatabase: true,
    publishesEvents: true,
  },
  migrator: {
    timeoutSeconds: 300,
    memoryMb: 512,
    usesDatabase: true,
    publishesEvents: false,
  },
  riskWorker: {
    timeoutSeconds: 30,
    memoryMb: 512,
    usesDatabase: true,
    publishesEvents: true,
  },
  retention: {
    timeoutSeconds: 120,
    memoryMb: 256,
    usesDatabase: true,
    publishesEvents: false,
  },
  // Stops 30 s before this; a larger window (a backfill, the first run) goes on in the next run.
  analytics: {
    timeoutSeconds: 900,
    memoryMb: 1024,
    usesDatabase: true,
    publishesEvents: false,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

const queues = {
  payments: {
    consumer: 'paymentWorker',
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 16,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    maxConcurrency: 10,
    retentionDays: 7,
  },
  notifications: {
    consumer: 'notificationWorker',
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 16,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    maxConcurrency: 5,
    retentionDays: 7,
  },
  // Its own queue (docs/architecture.md, "Notification events"): a flood of requested events, or a
  // poison burst, never delays payment outcome notifications, and each has its own DLQ, alarms and cap.
  notificationRequests: {
    consumer: 'notificationWorker',
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 16,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    maxConcurrency: 5,
    retentionDays: 7,
  },
  // Every payment passes through it before its charge: sized like the payments queue.
  risk: {
    consumer: 'riskWorker',
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 16,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    maxConcurrency: 10,
    retentionDays: 7,
  },
} as const satisfies Record<string, QueueSpec<FunctionName>>;

export type QueueName = keyof typeof queues;

export const topology = {
  /** Custom EventBridge bus (suffixed with the stage in AWS). */
  bus: { name: 'payments' },
  functions,
  routes: [
    { method: 'GET', path: '/health', function: 'api', authorized: false },
    { method: 'POST', path: '/payments', function: 'api', authorized: true },
    { method: 'GET', path: '/payments', function: 'api', authorized: true },
    { method: 'GET', path: '/payments/{id}', function: 'api', authorized: true },
    { method: 'GET', path: '/notifications', function: 'api', authorized: true },
    { method: 'GET', path: '/accounts/{user_id}/balance', function: 'api', authorized: true },
    { method: 'POST', path: '/events', function: 'api', authorized: true },
    { method: 'GET', path: '/events', function: 'api', authorized: true },
    { method: 'GET', path: '/events/{id}', function: 'api', authorized: true },
    // The API reference (docs/architecture.md, "API reference"): public, like the API's own description.
    { method: 'GET', path: '/openapi.json', function: 'api', authorized: false },
    { method: 'GET', path: '/docs', function: 'api', authorized: false },
    { method: 'GET', path: '/docs/{asset}', function: 'api', authorized: false },
  ] as const satisfies readonly RouteSpec<FunctionName>[],
  authorizer: 'authorizer' as FunctionName,
  migrator: 'migrator' as FunctionName,
  queues,
  rules: {
    // Screened before charged (docs/architecture.md, "Risk screening"): created -> risk -> payments.
    paymentCreatedToRisk: {
      description: 'New payments go to the risk worker',
      pattern: { source: [PaymentCreated.source], 'detail-type': [PaymentCreated.detailType] },
      queue: 'risk',
    },
    riskAssessedToPayments: {
      description: 'Screened payments go to the payment worker',
      pattern: { source: [RiskAssessed.source], 'detail-type': [RiskAssessed.detailType] },
      queue: 'payments',
    },
    paymentOutcomeToNotifications: {
      description: 'Payment outcomes go to the notification worker',
      pattern: {
        source: [...new Set([PaymentSucceeded.source, PaymentFailed.source])],
        'detail-type': [PaymentSucceeded.detailType, PaymentFailed.detailType],
      },
      queue: 'notifications',
    },
    notificationRequestedToNotificationRequests: {
      description: 'Requested notification events go to the notification worker, on their own queue',
      pattern: { source: [NotificationRequested.source], 'detail-type': [NotificationRequested.detailType] },
      queue: 'notificationRequests',
    },
  } as const satisfies Record<string, RuleSpec<QueueName>>,
  schedules: {
    outboxRelay: { function: 'outboxRelay', everySeconds: 60, localEverySeconds: 60, alwaysOn: true },
    retention: { function: 'retention', everySeconds: 300, localEverySeconds: 300 },
    analytics: { function: 'analytics', everySeconds: 3600, localEverySeconds: 5 },
  } as const satisfies Record<string, ScheduleSpec<FunctionName>>,
  /** Events nobody consumes yet but that are part of the contract (kept on the bus archive). */
  unrouted: [NotificationSent.detailType],
} as const satisfies Topology;

/** What both runtimes iterate. `topology` above is the platform's; tests build others from it. */
export interface Topology {
  /** Custom EventBridge bus (suffixed with the stage in AWS). */
  bus: { name: string };
  functions: Record<string, FunctionSpec>;
  routes: readonly RouteSpec[];
  /** The function API Gateway runs before every `authorized` route. */
  authorizer: string;
  /** The function that applies the schema: a custom resource in AWS, the first invocation locally. */
  migrator: string;
  queues: Record<string, QueueSpec>;
  rules: Record<string, RuleSpec>;
  schedules: Record<string, ScheduleSpec>;
  /** Detail-types of events nobody consumes yet but that are part of the contract (kept on the bus archive). */
  unrouted: readonly string[];
}
