import type { Database } from '../../lambdas/shared/adapters/postgres/database';
import { names } from '../../lib/names';
import type { QueueName } from '../../lib/topology';
import { QueueStore } from '../../local/queue-store';
import {
  type DeadLetterQueueReport,
  type DeadLetterRef,
  type OpsBackend,
  OpsError,
  queueNames,
  type RedriveOptions,
  type RedriveReport,
  type RedriveStatus,
  type ReplayReport,
  type RuleName,
} from './backend';

// The ops commands against the local runtime's database: its queues and DLQs are rows (local/queue-store.ts).

const NO_TARGET_DLQS =
  'The local runtime has no rule-target DLQs: its bus enqueues inside the PutEvents call, so an event is ' +
  'either queued or refused to the publisher, whose outbox row then stays unpublished (see `outbox lag`).';

export class LocalOpsBackend implements OpsBackend {
  readonly target = 'local';
  private readonly store: QueueStore;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly closeDatabase: () => Promise<void>;

  constructor(
    db: Database,
    options: { sleep?: (ms: number) => Promise<void>; close?: () => Promise<void> } = {},
  ) {
    this.store = new QueueStore(db);
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.closeDatabase = options.close ?? (() => db.end({ timeout: 2 }));
  }

  async listDeadLetterQueues(options: { sample: number }): Promise<DeadLetterQueueReport[]> {
    const depths = await this.store.depths();
    return Promise.all(
      queueNames.map(async (name) => {
        const dlq = depths[names.deadLetterQueue(name)];
        const source = depths[name];
        return {
          kind: 'queue' as const,
          name,
          depth: dlq?.visible ?? 0,
          inFlight: dlq?.inFlight ?? 0,
          sourceDepth: (source?.visible ?? 0) + (source?.delayed ?? 0),
          samples:
            options.sample > 0 ? await this.store.peek(names.deadLetterQueue(name), options.sample) : [],
        };
      }),
    );
  }

  async readDeadLetters(ref: DeadLetterRef, limit: number) {
    if (ref.kind === 'target') return { depth: 0, messages: [] };
    const dlq = names.deadLetterQueue(ref.name);
    const depth = (await this.store.depths())[dlq];
    return {
      depth: (depth?.visible ?? 0) + (depth?.inFlight ?? 0),
      messages: await this.store.peek(dlq, limit),
    };
  }

  /** Moves DLQ rows back to the source queue in batches of `rate`, one batch per second. */
  async redrive(queue: QueueName, options: RedriveOptions): Promise<RedriveReport> {
    if (!(options.rate >= 1)) throw new OpsError('--rate must be at least 1 message per second');
    const started = Date.now();
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const batchSize = Math.floor(options.rate);
    let moved = 0;
    while (moved < limit) {
      const batchStarted = Date.now();
      const want = Math.min(batchSize, limit - moved);
      const count = await this.store.move(names.deadLetterQueue(queue), queue, want);
      moved += count;
      if (count > 0) options.onProgress?.(moved);
      if (count < want || moved >= limit) break;
      const wait = 1000 - (Date.now() - batchStarted);
      if (wait > 0) await this.sleep(wait);
    }
    const remaining = (await this.store.depths())[names.deadLetterQueue(queue)];
    return {
      queue,
      rate: options.rate,
      moved,
      remaining: (remaining?.visible ?? 0) + (remaining?.inFlight ?? 0),
      elapsedMs: Date.now() - started,
    };
  }

  async redriveStatus(queue: QueueName): Promise<RedriveStatus> {
    const depth = (await this.store.depths())[names.deadLetterQueue(queue)];
    return {
      queue,
      depth: depth?.visible ?? 0,
      tasks: [],
      note: 'Local redrives run in the foreground of `dlq redrive`: there is no background task to follow.',
    };
  }

  async cancelRedrive(): Promise<{ moved?: number }> {
    throw new OpsError('Local redrives run in the foreground: stop one with Ctrl-C.');
  }

  async replayTarget(rule: RuleName): Promise<ReplayReport> {
    return {
      rule,
      received: 0,
      accepted: 0,
      refused: 0,
      unparseable: 0,
      deleted: 0,
      errors: [],
      note: NO_TARGET_DLQS,
    };
  }

  close(): Promise<void> {
    return this.closeDatabase();
  }
}
