import type { APIGatewayAuthorizerResult } from 'aws-lambda';

// API Gateway caches a TOKEN authorizer's policy per token for the authorizer's TTL (lib/constructs/
// payments-api.ts: 5 minutes), so in AWS the authorizer Lambda runs once per token, not once per request.
// The local gateway does the same. Unlike AWS, an entry never outlives the token's own `exp`.

/** lib/constructs/payments-api.ts `resultsCacheTtl`. */
export const AUTHORIZER_CACHE_TTL_SECONDS = 300;
const MAX_ENTRIES = 10_000;

/** The unverified `exp` of a JWT in ms, or undefined (the authorizer verifies; this only caps the TTL). */
function expiryOf(token: string): number | undefined {
  try {
    const payload = token.replace(/^Bearer\s+/i, '').split('.')[1];
    if (!payload) return undefined;
    const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export class AuthorizerCache {
  private readonly entries = new Map<string, { result: APIGatewayAuthorizerResult; until: number }>();

  constructor(
    private readonly ttlSeconds = AUTHORIZER_CACHE_TTL_SECONDS,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): APIGatewayAuthorizerResult | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry.result;
    this.entries.delete(token);
    return undefined;
  }

  /** Policies are cached, a Deny as well as an Allow (as in AWS); a thrown `Unauthorized` is asked again. */
  set(token: string, result: APIGatewayAuthorizerResult): void {
    const until = Math.min(this.now() + this.ttlSeconds * 1000, expiryOf(token) ?? Number.POSITIVE_INFINITY);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { result, until });
  }
}
