import { type QueueName, topology } from '../../lib/topology';

// What every ops command needs from a runtime: the local one (PostgreSQL queues) or a deployed stack (SQS).

export type RuleName = keyof typeof topology.rules;
export type DeadLetterKind = 'queue' | 'target';

export interface DeadLetterRef {
  kind: DeadLetterKind;
  /** A topology queue name (kind `queue`) or an EventBridge target name (kind `target`). */
  name: string;
}

export interface DeadLetterMessage {
  messageId: string;
  body: string;
  sentAt?: Date;
  receiveCount?: number;
  /** Why EventBridge gave up on the target (its ERROR_CODE / ERROR_MESSAGE attributes). */
  error?: string;
}

export interface DeadLetterQueueReport extends DeadLetterRef {
  /** Messages waiting (visible). */
  depth: number;
  /** Messages someone has received and not yet deleted or released. */
  inFlight: number;
  /** Depth of the source queue (queue DLQs only). */
  sourceDepth?: number;
  samples: DeadLetterMessage[];
}

export interface RedriveOptions {
  /** Messages per second. */
  rate: number;
  /** Local only: stop after this many messages. */
  limit?: number;
  onProgress?: (moved: number) => void;
}

export interface RedriveReport {
  queue: QueueName;
  rate: number;
  /** AWS: the asynchronous move task started (see `dlq redrive-status`). */
  taskHandle?: string;
  sourceArn?: string;
  destinationArn?: string;
  /** Local: messages moved back (the move runs in the foreground). */
  moved?: number;
  /** Messages still in the DLQ when the command returned. */
  remaining?: number;
  elapsedMs?: number;
}

export interface MoveTask {
  status: string;
  taskHandle?: string;
  moved?: number;
  toMove?: number;
  rate?: number;
  startedAt?: Date;
  failureReason?: string;
}

export interface RedriveStatus {
  queue: QueueName;
  depth: number;
  tasks: MoveTask[];
  note?: string;
}

export interface ReplayOptions {
  /** Events per second put back on the bus. */
  rate: number;
  /** Stop after this many DLQ messages. */
  limit?: number;
}

export interface ReplayReport {
  rule: RuleName;
  received: number;
  /** Put on the bus and accepted by EventBridge; these DLQ messages were deleted. */
  accepted: number;
  /** Refused by EventBridge (kept in the DLQ). */
  refused: number;
  /** Not an EventBridge event (kept in the DLQ). */
  unparseable: number;
  deleted: number;
  errors: string[];
  note?: string;
}

export interface OpsBackend {
  readonly target: 'local' | 'aws';
  listDeadLetterQueues(options: { sample: number }): Promise<DeadLetterQueueReport[]>;
  /** Up to `limit` messages of one DLQ, left where they are. */
  readDeadLetters(
    ref: DeadLetterRef,
    limit: number,
  ): Promise<{ depth: number; messages: DeadLetterMessage[] }>;
  redrive(queue: QueueName, options: RedriveOptions): Promise<RedriveReport>;
  redriveStatus(queue: QueueName): Promise<RedriveStatus>;
  cancelRedrive(taskHandle: string): Promise<{ moved?: number }>;
  replayTarget(rule: RuleName, options: ReplayOptions): Promise<ReplayReport>;
  close(): Promise<void>;
}

export class OpsError extends Error {}

export const queueNames = Object.keys(topology.queues) as QueueName[];
export const ruleNames = Object.keys(topology.rules) as RuleName[];

export function queueName(value: string | undefined): QueueName {
  if (value && (queueNames as string[]).includes(value)) return value as QueueName;
  throw new OpsError(`Unknown queue ${value ?? '(none)'}: one of ${queueNames.join(', ')}`);
}

export function ruleName(value: string | undefined): RuleName {
  if (value && (ruleNames as string[]).includes(value)) return value as RuleName;
  throw new OpsError(
    `Unknown rule ${value ?? '(none)'}: one of ${ruleNames.join(', ')} (schedule target DLQs hold timer ticks, not bus events: purge them instead, see docs/RUNBOOK.md)`,
  );
}

/** The rule and queue that carry an event of this detail-type (from the topology). */
export function deliveryOf(detailType: string): { rule: RuleName; queue: QueueName } | undefined {
  for (const rule of ruleNames) {
    const spec = topology.rules[rule];
    if ((spec.pattern['detail-type'] as readonly string[]).includes(detailType)) {
      return { rule, queue: spec.queue };
    }
  }
  return undefined;
}
