import { NotificationSent, PaymentCreated, PaymentFailed, PaymentSucceeded } from '../lambdas/shared/events';

/**
 * The platform as plain data. The CDK stack and the local runtime are both built from this,
 * so the cloud and a laptop cannot drift apart (DESIGN.md section 6).
 */

export interface FunctionSpec {
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Powertools service name, also the log and metrics namespace dimension. */
  service: string;
  /** Needs the database (VPC placement, credentials secret, RDS Proxy). */
  usesDatabase: boolean;
  /** Publishes to the bus. */
  publishesEvents: boolean;
}

export interface RouteSpec {
  method: 'GET' | 'POST';
  /** REST API resource path; `{name}` is a path parameter. */
  path: string;
  function: FunctionName;
  /** Guarded by the JWT Lambda authorizer. */
  authorized: boolean;
}

export interface QueueSpec {
  consumer: FunctionName;
  /** >= 6x the consumer's timeout (AWS guidance for Lambda event sources). */
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  maxConcurrency: number;
  retentionDays: number;
}

export interface RuleSpec {
  description: string;
  /** An EventBridge event pattern; the local runtime implements exactly the operators used here. */
  pattern: { source: string[]; 'detail-type': string[] };
  queue: QueueName;
}

export interface ScheduleSpec {
  function: FunctionName;
  /** In AWS, rounded up to whole minutes (EventBridge Scheduler's floor is one minute). */
  everySeconds: number;
  /** The local runtime sweeps more often so a demo never waits a minute. */
  localEverySeconds: number;
}

const functions = {
  api: {
    entry: 'lambdas/api/handler.ts',
    timeoutSeconds: 10,
    memoryMb: 1024,
    service: 'payments-api',
    usesDatabase: true,
    publishesEvents: true,
  },
  authorizer: {
    entry: 'lambdas/authorizer/handler.ts',
    timeoutSeconds: 5,
    memoryMb: 512,
    service: 'payments-authorizer',
    usesDatabase: false,
    publishesEvents: false,
  },
  paymentWorker: {
    entry: 'lambdas/payment-worker/handler.ts',
    timeoutSeconds: 30,
    memoryMb: 1024,
    service: 'payment-worker',
    usesDatabase: true,
    publishesEvents: true,
  },
  notificationWorker: {
    entry: 'lambdas/notification-worker/handler.ts',
    timeoutSeconds: 30,
    memoryMb: 512,
    service: 'notification-worker',
    usesDatabase: true,
    publishesEvents: true,
  },
  outboxRelay: {
    entry: 'lambdas/outbox-relay/handler.ts',
    timeoutSeconds: 60,
    memoryMb: 512,
    service: 'outbox-relay',
    usesDatabase: true,
    publishesEvents: true,
  },
  migrator: {
    entry: 'lambdas/migrator/handler.ts',
    timeoutSeconds: 300,
    memoryMb: 512,
    service: 'migrator',
    usesDatabase: true,
    publishesEvents: false,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

const queues = {
  payments: {
    consumer: 'paymentWorker',
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    maxConcurrency: 10,
    retentionDays: 14,
  },
  notifications: {
    consumer: 'notificationWorker',
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    maxConcurrency: 5,
    retentionDays: 14,
  },
} as const satisfies Record<string, QueueSpec>;

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
  ] as const satisfies readonly RouteSpec[],
  authorizer: 'authorizer' as FunctionName,
  queues,
  rules: {
    paymentCreatedToPayments: {
      description: 'New payments go to the payment worker',
      pattern: { source: [PaymentCreated.source], 'detail-type': [PaymentCreated.detailType] },
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
  } as const satisfies Record<string, RuleSpec>,
  schedules: {
    outboxRelay: { function: 'outboxRelay', everySeconds: 60, localEverySeconds: 5 },
  } as const satisfies Record<string, ScheduleSpec>,
  /** Events nobody consumes yet but that are part of the contract (kept on the bus archive). */
  unrouted: [NotificationSent.detailType],
} as const;

export type Topology = typeof topology;
