import type { RateLimits } from '../lib/rate-limits';

// The WAF rate-based rules of the stack, emulated in front of the local gateway (docs/architecture.md,
// "Rate limits"): a count per key per evaluation window, the per-token rule first, then the per-IP rule.
// WAF counts over a trailing window it re-evaluates every few seconds; a fixed window per key is the same
// limit without WAF's lag, and lets the answer say exactly when the key may come back.

const MAX_KEYS = 100_000;

export interface RateLimitedRequest {
  /** The `Authorization` header as sent (WAF keys on it untransformed); undefined: the token rule does not count it. */
  token?: string;
  ip: string;
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limits: RateLimits,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts the request against each rule that applies, in order; the seconds until the refusing rule's
   * window ends (for Retry-After), or undefined when every rule lets it pass. A refused request counts
   * too, as in WAF, and a later rule does not see it.
   */
  refuse(req: RateLimitedRequest): number | undefined {
    const rules: [string | undefined, number][] = [
      [req.token === undefined ? undefined : `token:${req.token}`, this.limits.perToken],
      [`ip:${req.ip}`, this.limits.perIp],
    ];
    for (const [key, limit] of rules) {
      if (key === undefined || limit <= 0) continue;
      const retryAfterMs = this.count(key, limit);
      if (retryAfterMs !== undefined) return Math.max(1, Math.ceil(retryAfterMs / 1000));
    }
    return undefined;
  }

  private count(key: string, limit: number): number | undefined {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      if (!window && this.windows.size >= MAX_KEYS) this.forgetEnded(now);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return window.count > limit ? window.start + this.windowMs - now : undefined;
  }

  /** Bounds memory under a flood of distinct keys (forged tokens): ended windows first, then the oldest. */
  private forgetEnded(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(key);
    while (this.windows.size >= MAX_KEYS) this.windows.delete(this.windows.keys().next().value!);
  }
}
