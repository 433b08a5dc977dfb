import { randomUUID } from 'node:crypto';

// The platform as its users see it: HTTP only, against the local runtime or a deployed stage.

export interface Payment {
  id: string;
  user_id: string;
  amount: number;
  currency: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  failure_code: string | null;
  failure_reason?: string | null;
  created_at: string;
  /** Null until the risk worker assessed the payment. */
  risk?: {
    score: number;
    level: 'normal' | 'elevated' | 'highest';
    outcome: 'allow' | 'block';
    reasons: { rule: string; score: number }[];
    rules_version: string;
    assessed_at: string;
  } | null;
}

export interface Notification {
  id: string;
  payment_id: string;
  channel: 'email' | 'sms';
  status: string;
}

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `sub` of a JWT (no verification: the server does that). */
export function subjectOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    sub?: string;
  };
  if (!payload.sub) throw new Error('Token has no subject');
  return payload.sub;
}

export class PaymentsClient {
  readonly userId: string;

  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {
    this.userId = subjectOf(token);
  }

  async request<T = unknown>(
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json: json as T } satisfies HttpResult<T>;
  }

  createPayment(body: Record<string, unknown>, key: string = randomUUID()) {
    return this.request<Payment>('POST', '/payments', { body, headers: { 'idempotency-key': key } });
  }

  async getPayment(id: string): Promise<Payment> {
    const res = await this.request<Payment>('GET', `/payments/${id}`);
    if (res.status !== 200) throw new Error(`GET /payments/${id}: ${res.status} ${res.text}`);
    return res.json;
  }

  /** Every payment of the caller, following next_cursor. */
  async listAllPayments(query = ''): Promise<Payment[]> {
    const all: Payment[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams(query);
      params.set('limit', '100');
      if (cursor) params.set('cursor', cursor);
      const res = await this.request<{ data: Payment[]; next_cursor: string | null }>(
        'GET',
        `/payments?${params}`,
      );
      if (res.status !== 200) throw new Error(`GET /payments: ${res.status} ${res.text}`);
      all.push(...res.json.data);
      cursor = res.json.next_cursor;
    } while (cursor);
    return all;
  }

  async notifications(paymentId: string): Promise<Notification[]> {
    const res = await this.request<{ data: Notification[] }>('GET', `/notifications?payment_id=${paymentId}`);
    if (res.status !== 200) throw new Error(`GET /notifications: ${res.status} ${res.text}`);
    return res.json.data;
  }

  /** The caller's balance in one currency (0 when the ledger has nothing for it). */
  async balance(currency: string): Promise<number> {
    const res = await this.request<{ data: { currency: string; balance: number }[] }>(
      'GET',
      `/accounts/${encodeURIComponent(this.userId)}/balance`,
    );
    if (res.status !== 200) throw new Error(`GET balance: ${res.status} ${res.text}`);
    return res.json.data.find((b) => b.currency === currency)?.balance ?? 0;
  }

  /** Polls until `check` passes or the deadline passes (then returns the last value for the assertion). */
  async eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let value = await read();
    while (!check(value) && Date.now() < deadline) {
      await sleep(250);
      value = await read();
    }
    return value;
  }
}

export const isTerminal = (p: Payment) => p.status === 'SUCCEEDED' || p.status === 'FAILED';
