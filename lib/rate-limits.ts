import type { RouteSpec } from './topology';

// The edge's rate limits (docs/architecture.md, "Rate limits"): one definition that the WAF web ACL
// (lib/constructs/payments-api.ts) and the local gateway emulation (local/rate-limiter.ts) both read, so
// a client meets the same rules, keys, scope and answer in either.

export interface RateLimits {
  /** Requests per evaluation window per `Authorization` header value, on every route but the public ones; 0: off. */
  perToken: number;
  /** Requests per evaluation window per client IP, on every request (the backstop for tokenless and forged ones); 0: off. */
  perIp: number;
}

/**
 * WAF counts per key over a trailing window of 60, 120, 300 or 600 s; we use the shortest, so the limits
 * read per minute. Stripe allows 100 requests/s per account in live mode: 6000 per minute per token. One
 * IP may carry several callers (a NAT, an office), so it gets twice that.
 */
export const RATE_LIMIT_WINDOW_SECONDS = 60;
export const DEFAULT_RATE_LIMITS: RateLimits = { perToken: 6000, perIp: 12_000 };
/** WAF's bounds for a rate-based rule's limit; 0 means the rule is left out. */
export const RATE_LIMIT_BOUNDS = { min: 10, max: 2_000_000_000 } as const;

/** The answer over a limit, in the platform's error shape, with `Retry-After` (seconds). */
export const RATE_LIMITED = {
  status: 429,
  code: 'rate_limited',
  message: 'Too many requests; retry after the number of seconds in Retry-After',
} as const;

/** Routes the per-token rule does not count: the public ones (their callers send no token). */
export function tokenRuleExempt(routes: readonly RouteSpec[]): RouteSpec[] {
  return routes.filter((r) => !r.authorized);
}

/** A limit (`0` or RATE_LIMIT_BOUNDS), or the reason it is not one. */
export function checkRateLimit(value: number): string | undefined {
  if (!Number.isInteger(value)) return 'must be a whole number';
  if (value === 0 || (value >= RATE_LIMIT_BOUNDS.min && value <= RATE_LIMIT_BOUNDS.max)) return undefined;
  return `must be 0 (off) or from ${RATE_LIMIT_BOUNDS.min} to ${RATE_LIMIT_BOUNDS.max}`;
}

/**
 * A route path as the regex WAF's scope-down matches a request path with (and the local gateway too):
 * anchored at the end only, as WAF sees `/prod/health` through the stage URL and `/health` through a
 * custom domain; a `{param}` is one path segment.
 */
export function routePathPattern(path: string): string {
  const parts = path.split(/\{[^}]+\}/).map((p) => p.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return `${parts.join('[^/]+')}$`;
}
