import { randomUUID } from 'node:crypto';
import type { Database } from '../lambdas/shared/adapters/postgres/database';
import { inTransaction } from '../lambdas/shared/adapters/postgres/transaction';
import { toEnvelope } from '../lambdas/shared/events/envelope';
import { LOCAL_ACCOUNT, LOCAL_REGION, localArn } from './aws-identity';
import { type AwsJsonService, AwsServiceError } from './aws-json';
import type { QueueStore } from './queue-store';
import type { CompiledRule } from './rule-matcher';

// A local EventBridge bus: PutEvents routes each entry with the topology's rules and enqueues the
// EventBridge envelope durably on every matching rule's queue.

const MAX_ENTRIES = 10;
const MAX_ENTRY_BYTES = 256 * 1024;

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  /** The SDK sends epoch seconds; ISO strings are accepted too. */
  Time?: number | string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

export interface EventBusOptions {
  db: Database;
  store: QueueStore;
  busName: string;
  rules: readonly CompiledRule[];
  /** Told after a commit which queues received messages (pollers wake up instead of waiting). */
  onEnqueued?: (queues: ReadonlySet<string>) => void;
  /** Fault injection (local/faults): an entry refused with this error, as EventBridge sometimes does. */
  refuseEntry?: (entry: PutEventsEntry) => { ErrorCode: string; ErrorMessage: string } | undefined;
}

function invalid(message: string): PutEventsResultEntry {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: message };
}

/** The entry's own time if it has a valid one, else now. */
function entryTime(time: PutEventsEntry['Time']): Date {
  if (typeof time === 'number') return new Date(time * 1000);
  if (typeof time === 'string' && !Number.isNaN(Date.parse(time))) return new Date(time);
  return new Date();
}

export class LocalEventBus {
  private readonly busArn: string;

  constructor(private readonly options: EventBusOptions) {
    this.busArn = localArn.bus(options.busName);
  }

  private checkEntry(entry: PutEventsEntry): string | undefined {
    const bus = entry.EventBusName ?? 'default';
    if (bus !== this.options.busName && bus !== this.busArn) return `Event bus ${bus} does not exist.`;
    if (!entry.Source) return 'Parameter Source is not valid. Reason: Source is a required argument.';
    if (!entry.DetailType) return 'Parameter DetailType is not valid. Reason: DetailType is required.';
    if (!entry.Detail) return 'Parameter Detail is not valid. Reason: Detail is a required argument.';
    if (Buffer.byteLength(JSON.stringify(entry)) > MAX_ENTRY_BYTES) return 'Entry exceeds 256 KB.';
    try {
      const detail: unknown = JSON.parse(entry.Detail);
      if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) throw new Error();
    } catch {
      return 'Parameter Detail is not valid. Reason: Detail must be a JSON object.';
    }
    return undefined;
  }

  /** Routes and enqueues all valid entries in one transaction: accepted means durably queued. */
  async putEvents(entries: readonly PutEventsEntry[]): Promise<PutEventsResult> {
    if (entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new AwsServiceError('ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} events`);
    }
    const results: PutEventsResultEntry[] = [];
    const byQueue = new Map<string, string[]>();
    for (const entry of entries) {
      const problem = this.checkEntry(entry);
      if (problem) {
        results.push(invalid(problem));
        continue;
      }
      const refused = this.options.refuseEntry?.(entry);
      if (refused) {
        results.push(refused);
        continue;
      }
      const envelope = toEnvelope({
        id: randomUUID(),
        source: entry.Source!,
        detailType: entry.DetailType!,
        detail: JSON.parse(entry.Detail!) as Record<string, unknown>,
        account: LOCAL_ACCOUNT,
        region: LOCAL_REGION,
        time: entryTime(entry.Time),
        resources: entry.Resources,
      });
      const body = JSON.stringify(envelope);
      for (const rule of this.options.rules) {
        if (rule.matches(envelope as unknown as Record<string, unknown>))
          byQueue.set(rule.queue, [...(byQueue.get(rule.queue) ?? []), body]);
      }
      results.push({ EventId: envelope.id });
    }
    if (byQueue.size === 1) {
      // One INSERT is atomic by itself: one round trip instead of BEGIN, INSERT, COMMIT.
      const [queue, bodies] = [...byQueue][0]!;
      await this.options.store.send(queue, bodies);
      this.options.onEnqueued?.(new Set(byQueue.keys()));
    } else if (byQueue.size > 1) {
      await inTransaction(this.options.db, async (sql) => {
        const tx = sql as unknown as Database;
        for (const [queue, bodies] of byQueue) await this.options.store.send(queue, bodies, tx);
      });
      this.options.store.noteTransaction();
      this.options.onEnqueued?.(new Set(byQueue.keys()));
    }
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  /** The `AWSEvents` JSON 1.1 service that @aws-sdk/client-eventbridge talks to. */
  service(): AwsJsonService {
    return {
      targetPrefix: 'AWSEvents',
      contentType: 'application/x-amz-json-1.1',
      errorNamespace: 'com.amazonaws.eventbridge',
      operations: {
        PutEvents: (input) => {
          if (!Array.isArray(input.Entries))
            throw new AwsServiceError('ValidationException', 'Entries is required');
          return this.putEvents(input.Entries as PutEventsEntry[]);
        },
      },
    };
  }
}
