import { randomUUID } from 'node:crypto';
import { type LoadClient, postUntilAnswered } from './load';

// Clients requesting notification events over HTTP, alongside the payments load: each event is sent
// with an Idempotency-Key, sometimes again after its answer or several times at once; a 503 (the bus
// refused it) and a request with no answer (kill -9) are retried with the same key, as clients must.

export interface EventClientRates {
  /** An event is sent again with the same key after its 202 (expect the same id). */
  retrySequential: number;
  /** An event's first request goes out several times at once (expect one id). */
  retryConcurrent: number;
  /** The payload names an email address (email only) or a phone number (SMS only). */
  addressed: number;
}

export interface EventLoadStats {
  sent: number;
  answered: number;
  requests: number;
  byStatus: Record<string, number>;
  unanswered: number;
  /** 503 answers (the bus refused the event); each was retried with the same key. */
  refused: number;
  /** 503 answers without a Retry-After header (the contract says every 503 has one). */
  refusedWithoutRetryAfter: number;
  /** 5xx answers other than 503 (none expected). */
  serverErrors: number;
  faults: { sequentialRetries: number; concurrentRetries: number };
  /** event id -> the channels it should be notified on. */
  accepted: Map<string, number>;
  anomalies: string[];
}

export interface EventLoadOptions {
  baseUrl: string;
  clients: readonly LoadClient[];
  events: number;
  concurrency: number;
  rates: EventClientRates;
  random: () => number;
  giveUpAfterMs?: number;
}

const CONCURRENT_COPIES = 3;

export class EventLoadGenerator {
  readonly stats: EventLoadStats = {
    sent: 0,
    answered: 0,
    requests: 0,
    byStatus: {},
    unanswered: 0,
    refused: 0,
    refusedWithoutRetryAfter: 0,
    serverErrors: 0,
    faults: { sequentialRetries: 0, concurrentRetries: 0 },
    accepted: new Map(),
    anomalies: [],
  };
  private next = 0;

  constructor(private readonly options: EventLoadOptions) {}

  async run(): Promise<EventLoadStats> {
    const slots = Math.min(this.options.concurrency, this.options.events);
    await Promise.all(
      Array.from({ length: slots }, (_, slot) =>
        this.clientLoop(this.options.clients[slot % this.options.clients.length]!),
      ),
    );
    return this.stats;
  }

  private anomaly(message: string): void {
    if (this.stats.anomalies.length < 50) this.stats.anomalies.push(message);
  }

  private async clientLoop(client: LoadClient): Promise<void> {
    const { random, rates } = this.options;
    while (this.next < this.options.events) {
      this.next += 1;
      const roll = random();
      const payload =
        roll < rates.addressed / 2
          ? { email: 'chaos@example.com' }
          : roll < rates.addressed
            ? { phone: '+447700900123' }
            : { n: this.next };
      const channels = 'email' in payload || 'phone' in payload ? 1 : 2;
      const body = { event_type: 'chaos.run', message: `Chaos event ${this.next} ✓`, payload };
      const key = `chaos-event-${randomUUID()}`;
      const concurrent = random() < rates.retryConcurrent;
      const sequential = random() < rates.retrySequential;
      this.stats.sent += 1;
      const deadline = Date.now() + (this.options.giveUpAfterMs ?? 300_000);
      const first = await Promise.all(
        Array.from({ length: concurrent ? CONCURRENT_COPIES : 1 }, () =>
          this.send(client, key, body, deadline),
        ),
      );
      if (concurrent) this.stats.faults.concurrentRetries += 1;
      const ids = new Set(first.filter((id) => id !== undefined));
      if (ids.size !== 1 || first.some((id) => id === undefined)) {
        this.anomaly(`key ${key}: answers named ${[...ids].join(', ') || 'no id'}`);
        continue;
      }
      const id = [...ids][0]!;
      this.stats.accepted.set(id, channels);
      this.stats.answered += 1;
      if (sequential) {
        this.stats.faults.sequentialRetries += 1;
        const again = await this.send(client, key, body, deadline);
        if (again !== id) this.anomaly(`key ${key}: the retry named ${again}, not ${id}`);
      }
    }
  }

  /** One request, sent again (same key) after a 503 or no answer, until a 202 or the deadline. */
  private async send(
    client: LoadClient,
    key: string,
    body: unknown,
    deadline: number,
  ): Promise<string | undefined> {
    const answer = await postUntilAnswered(
      { url: `${this.options.baseUrl}/events`, token: client.token, key, body },
      deadline,
      {
        sent: () => {
          this.stats.requests += 1;
        },
        unanswered: () => {
          this.stats.unanswered += 1;
        },
        // 503 (the bus refused) and any other 5xx are retried with the same key; Retry-After says 1 s,
        // the run waits less to stay short.
        retry: (res) => {
          this.stats.byStatus[res.status] = (this.stats.byStatus[res.status] ?? 0) + 1;
          if (res.status === 503) {
            this.stats.refused += 1;
            if (!(Number(res.headers.get('retry-after')) >= 0)) this.stats.refusedWithoutRetryAfter += 1;
            return true;
          }
          if (res.status < 500) return false;
          this.stats.serverErrors += 1;
          return true;
        },
      },
    );
    if (!answer) {
      this.anomaly(`key ${key}: no answer before the deadline`);
      return undefined;
    }
    if (answer.res.status !== 202) {
      this.anomaly(`key ${key}: unexpected ${answer.res.status} ${answer.text.slice(0, 200)}`);
      return undefined;
    }
    return (JSON.parse(answer.text) as { id: string }).id;
  }
}
