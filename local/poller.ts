import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { QueueSpec } from '../lib/topology';
import { invokeFunction, type LocalFunction } from './lambda-context';
import type { QueueMessage, QueueStore } from './queue-store';
import { sqsRecord } from './sqs-record';

// One poller per queue plays Lambda's SQS event source mapping: batches of `batchSize`, up to
// `maxConcurrency` batches at once, ReportBatchItemFailures semantics.

export interface BatchOutcome {
  succeeded: string[];
  failed: string[];
  error?: unknown;
}

/** Seams for tests and fault injection; the runtime passes none. */
export interface PollerHooks {
  /** Called before the handler sees a batch; throwing fails the whole batch, like a crashed invocation. */
  beforeInvoke?(queue: string, event: SQSEvent): Promise<void> | void;
  afterInvoke?(queue: string, event: SQSEvent, outcome: BatchOutcome): Promise<void> | void;
}

export interface PollerOptions {
  queue: string;
  spec: QueueSpec;
  deadLetterQueue: string;
  consumer: LocalFunction;
  store: QueueStore;
  leaseholder: string;
  /** How long an idle poller waits before looking again (expired visibility timeouts). */
  idlePollMs?: number;
  hooks?: PollerHooks;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/** Lambda's reading of a handler result: an invalid item identifier fails the whole batch. */
export function failedMessageIds(result: unknown, batch: readonly QueueMessage[]): string[] {
  const all = batch.map((m) => m.messageId);
  if (result === undefined || result === null) return [];
  const failures = (result as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null) return [];
  if (!Array.isArray(failures)) return all;
  const ids = failures.map((f) => (f as { itemIdentifier?: unknown })?.itemIdentifier);
  const known = new Set(all);
  if (ids.some((id) => typeof id !== 'string' || !known.has(id))) return all;
  return [...new Set(ids as string[])];
}

export class Poller {
  private stopping = false;
  private woken = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly active = new Set<Promise<void>>();

  constructor(private readonly options: PollerOptions) {}

  /** Messages handed to the consumer since start (redeliveries counted again). */
  delivered = 0;

  get inFlightBatches(): number {
    return this.active.size;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** New messages were sent: look now instead of at the next idle poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops receiving and waits for the batches already handed to the handler. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.active]);
  }

  private idle(ms: number): Promise<void> {
    if (this.woken || this.stopping) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeUp = undefined;
        self.woken = false;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    const { queue, spec, store } = this.options;
    while (!this.stopping) {
      if (this.active.size >= spec.maxConcurrency) {
        await Promise.race(this.active);
        continue;
      }
      let batch: QueueMessage[];
      try {
        batch = await store.receive(queue, {
          maxMessages: spec.batchSize,
          visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
          redrive: { maxReceiveCount: spec.maxReceiveCount, deadLetterQueue: this.options.deadLetterQueue },
          leasedBy: this.options.leaseholder,
        });
      } catch (error) {
        if (!this.stopping) this.options.log('Receive failed', { queue, error: String(error) });
        await this.idle(1000);
        continue;
      }
      if (batch.length === 0) {
        await this.idle(this.options.idlePollMs ?? 1000);
        continue;
      }
      const processing: Promise<void> = this.process(batch).finally(() => this.active.delete(processing));
      this.active.add(processing);
    }
  }

  private async process(batch: QueueMessage[]): Promise<void> {
    const { queue, store, hooks } = this.options;
    const event: SQSEvent = { Records: batch.map((m) => sqsRecord({ queue, ...m })) };
    this.delivered += batch.length;
    let failed: string[];
    let error: unknown;
    try {
      await hooks?.beforeInvoke?.(queue, event);
      const result = await invokeFunction(this.options.consumer, event);
      failed = failedMessageIds(result, batch);
    } catch (caught) {
      error = caught;
      failed = batch.map((m) => m.messageId);
      this.options.log('Batch failed', { queue, size: batch.length, error: String(caught) });
    }
    const failedSet = new Set(failed);
    const succeeded = batch.filter((m) => !failedSet.has(m.messageId));
    try {
      await store.deleteBatch(
        queue,
        succeeded.map((m) => m.receiptHandle),
      );
      await store.release(batch.filter((m) => failedSet.has(m.messageId)).map((m) => m.receiptHandle));
    } catch (caught) {
      // Not deleted means delivered again after the visibility timeout: at-least-once, as in SQS.
      this.options.log('Acknowledging a batch failed', { queue, error: String(caught) });
    }
    try {
      await hooks?.afterInvoke?.(queue, event, {
        succeeded: succeeded.map((m) => m.messageId),
        failed,
        error,
      });
    } catch (caught) {
      this.options.log('afterInvoke hook failed', { queue, error: String(caught) });
    }
  }
}
