import { randomUUID } from 'node:crypto';

// Many concurrent clients creating payments over HTTP, with the client-side faults of issue 6: retries
// with the same key (one after the other, and several at once) and with a changed body. A request that
// gets no answer (the runtime was killed) is sent again with the same key until one comes back.

export interface ClientFaultRates {
  /** A payment is sent again with the same key and body after its answer (expect a byte-identical replay). */
  retrySequential: number;
  /** A payment's first request goes out several times at once (expect one payment). */
  retryConcurrent: number;
  /** The same key is sent again with another amount (expect 422 idempotency_key_reused). */
  changedBody: number;
  /** Share of amounts ending in 13 (declined by the simulated gateway). */
  declines: number;
}

export interface LoadClient {
  userId: string;
  token: string;
}

export interface LoadOptions {
  baseUrl: string;
  clients: readonly LoadClient[];
  payments: number;
  concurrency: number;
  rates: ClientFaultRates;
  random: () => number;
  /** How long one payment may keep retrying before the run gives up on it. */
  giveUpAfterMs?: number;
}

export interface LoadStats {
  /** Payments whose first request went out. */
  sent: number;
  /** Payments that got their 201. */
  answered: number;
  requests: number;
  byStatus: Record<string, number>;
  /** Requests that got no answer (connection refused or reset) and were sent again. */
  unanswered: number;
  serverErrors: number;
  faults: { sequentialRetries: number; concurrentRetries: number; changedBodies: number };
  declinesRequested: number;
  /** (user, key) -> the payment id its 201 named. */
  accepted: Map<string, string>;
  /** Answers that broke the idempotency contract, e.g. two ids for one key (described). */
  anomalies: string[];
}

interface Answer {
  status: number;
  text: string;
  replayed: boolean;
}

const CURRENCIES = ['USD', 'EUR', 'GBP', 'INR', 'JPY'] as const;
const CONCURRENT_COPIES = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a client does with each try of a keyed POST (its counters) and whether an answer is retried. */
export interface KeyedPostHooks {
  sent(): void;
  /** No answer: the runtime is down (kill -9) or the connection broke. */
  unanswered(): void;
  /** True to send the same request again a moment later (a 5xx, a 503), as a client would. */
  retry(res: Response, text: string): boolean;
}

/** One POST with an `Idempotency-Key`, sent again with the same key until it is answered or the deadline passes. */
export async function postUntilAnswered(
  request: { url: string; token: string; key: string; body: unknown },
  deadline: number,
  hooks: KeyedPostHooks,
): Promise<{ res: Response; text: string } | undefined> {
  while (Date.now() < deadline) {
    hooks.sent();
    try {
      const res = await fetch(request.url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${request.token}`,
          'content-type': 'application/json',
          'idempotency-key': request.key,
        },
        body: JSON.stringify(request.body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      if (!hooks.retry(res, text)) return { res, text };
    } catch {
      hooks.unanswered();
    }
    await sleep(250);
  }
  return undefined;
}

export const acceptedKey = (userId: string, key: string) => `${userId}\u0000${key}`;

export function newLoadStats(): LoadStats {
  return {
    sent: 0,
    answered: 0,
    requests: 0,
    byStatus: {},
    unanswered: 0,
    serverErrors: 0,
    faults: { sequentialRetries: 0, concurrentRetries: 0, changedBodies: 0 },
    declinesRequested: 0,
    accepted: new Map(),
    anomalies: [],
  };
}

function amountFor(random: () => number, declined: boolean): number {
  if (declined) return Math.floor(random() * 9_999) * 100 + 113; // ...13: declined
  const amount = 1 + Math.floor(random() * 999_999);
  return amount % 100 === 13 ? amount + 1 : amount;
}

export class LoadGenerator {
  readonly stats = newLoadStats();
  /** The first 5xx answer, for the report. */
  firstServerError: string | undefined;
  private next = 0;

  constructor(private readonly options: LoadOptions) {}

  /** Runs all payments through `concurrency` clients; resolves when every one has its answer. */
  async run(): Promise<LoadStats> {
    await Promise.all(
      Array.from({ length: Math.min(this.options.concurrency, this.options.payments) }, (_, slot) =>
        this.clientLoop(this.options.clients[slot % this.options.clients.length]!),
      ),
    );
    return this.stats;
  }

  private anomaly(message: string): void {
    if (this.stats.anomalies.length < 50) this.stats.anomalies.push(message);
    else this.stats.anomalies[49] = `${message} (and more)`;
  }

  private async clientLoop(client: LoadClient): Promise<void> {
    const { random, rates } = this.options;
    while (this.next < this.options.payments) {
      this.next += 1;
      const declined = random() < rates.declines;
      if (declined) this.stats.declinesRequested += 1;
      const body = {
        amount: amountFor(random, declined),
        currency: CURRENCIES[Math.floor(random() * CURRENCIES.length)]!,
        description: 'chaos run',
      };
      const key = `chaos-${randomUUID()}`;
      const concurrent = random() < rates.retryConcurrent;
      const sequential = random() < rates.retrySequential;
      const changed = random() < rates.changedBody;
      this.stats.sent += 1;
      await this.pay(client, key, body, { concurrent, sequential, changed });
    }
  }

  private async pay(
    client: LoadClient,
    key: string,
    body: { amount: number; currency: string; description: string },
    faults: { concurrent: boolean; sequential: boolean; changed: boolean },
  ): Promise<void> {
    const deadline = Date.now() + (this.options.giveUpAfterMs ?? 300_000);
    const first = faults.concurrent
      ? await Promise.all(
          Array.from({ length: CONCURRENT_COPIES }, () => this.send(client, key, body, deadline)),
        )
      : [await this.send(client, key, body, deadline)];
    if (faults.concurrent) this.stats.faults.concurrentRetries += 1;
    let created = first.filter((a) => a?.status === 201);
    if (new Set(created.map((a) => a!.text)).size > 1) {
      this.anomaly(`key ${key}: concurrent requests got different 201 bodies`);
    }
    for (const answer of first) {
      if (answer && answer.status !== 201 && answer.status !== 409) {
        this.anomaly(`key ${key}: unexpected ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }
    // 409: the first request was still in flight; ask again until it answers.
    while (created.length === 0 && Date.now() < deadline && first.every((a) => !a || a.status === 409)) {
      await sleep(100);
      const again = await this.send(client, key, body, deadline);
      if (again && again.status !== 409 && again.status !== 201) {
        this.anomaly(`key ${key}: unexpected ${again.status} ${again.text.slice(0, 200)}`);
        break;
      }
      if (again?.status === 201) created = [again];
    }
    const payment = created[0];
    if (!payment) {
      this.anomaly(`key ${key}: no 201 before giving up`);
      return;
    }
    const id = (JSON.parse(payment.text) as { id: string }).id;
    this.stats.accepted.set(acceptedKey(client.userId, key), id);
    this.stats.answered += 1;

    if (faults.sequential) {
      this.stats.faults.sequentialRetries += 1;
      const replay = await this.send(client, key, body, deadline);
      if (replay && (replay.status !== 201 || replay.text !== payment.text || !replay.replayed)) {
        this.anomaly(`key ${key}: the retry was not a byte-identical replay (${replay.status})`);
      }
    }
    if (faults.changed) {
      this.stats.faults.changedBodies += 1;
      const reused = await this.send(client, key, { ...body, amount: body.amount + 1 }, deadline);
      const code = reused && (JSON.parse(reused.text || '{}') as { error?: { code?: string } }).error?.code;
      if (reused && (reused.status !== 422 || code !== 'idempotency_key_reused')) {
        this.anomaly(`key ${key}: a changed body got ${reused.status} ${code}, not 422`);
      }
    }
  }

  /** One request, sent again (same key) until it is answered or the deadline passes. */
  private async send(
    client: LoadClient,
    key: string,
    body: unknown,
    deadline: number,
  ): Promise<Answer | undefined> {
    const answer = await postUntilAnswered(
      { url: `${this.options.baseUrl}/payments`, token: client.token, key, body },
      deadline,
      {
        sent: () => {
          this.stats.requests += 1;
        },
        unanswered: () => {
          this.stats.unanswered += 1;
        },
        retry: (res, text) => {
          this.stats.byStatus[res.status] = (this.stats.byStatus[res.status] ?? 0) + 1;
          if (res.status < 500) return false;
          // Counted (the run fails on any), then retried with the same key, as a client would.
          this.stats.serverErrors += 1;
          this.firstServerError ??= `${res.status} ${text.slice(0, 200)}`;
          return true;
        },
      },
    );
    if (!answer) {
      this.anomaly(`key ${key}: no answer before the deadline`);
      return undefined;
    }
    const { res, text } = answer;
    return { status: res.status, text, replayed: res.headers.get('idempotent-replayed') === 'true' };
  }
}
