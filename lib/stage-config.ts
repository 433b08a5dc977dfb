import type { Node } from 'constructs';
import { checkRateLimit, DEFAULT_RATE_LIMITS, type RateLimits } from './rate-limits';

export type Target = 'aws' | 'localstack';
export type StageName = 'dev' | 'prod';

/** Everything the stack reads from CDK context (`-c key=value`), validated once. */
export interface StageConfig {
  stage: StageName;
  target: Target;
  /**
   * JWKS mode (any OIDC issuer) when set; otherwise a generated HS256 secret in Secrets Manager, which only
   * dev and LocalStack may use: prod refuses to synthesize without a JWKS URL.
   */
  jwt: { jwksUrl?: string; issuer: string; audience: string };
  /**
   * Attach an AWS WAF web ACL to the API stage: on by default in prod (`-c waf=false` opts out), opt-in
   * (`-c waf=true`) in dev; never on LocalStack.
   */
  waf: boolean;
  /** The WAF rate-based rules' limits per 60 s window (lib/rate-limits.ts); context overrides each. */
  rateLimits: RateLimits;
  /** Subscribe this address to the alarm topic. */
  alarmEmail?: string;
  /**
   * The AZs the VPC spans (AWS target). By default the region's first `count` AZs, resolved at deploy time
   * (`Fn::GetAZs`), so synthesis needs no account; context `availabilityZones=a,b,c` pins them by name.
   */
  availabilityZones: { count: number; names?: string[] };
  /** The PostgreSQL container of localstack.yml (LocalStack target only). */
  localDatabase: { host: string; port: number; username: string; password: string; dbname: string };
}

/** A wrong context value (`-c key=value`): the user's to fix, said in one line (bin/app.ts). */
export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], key: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new StageConfigError(`Context ${key} must be one of ${allowed.join(', ')} (got ${String(value)})`);
}

/** Default AZ count per stage: prod survives the loss of an AZ with capacity to spare. */
export const DEFAULT_AZ_COUNT: Record<StageName, number> = { dev: 2, prod: 3 };

function availabilityZones(value: unknown, stage: StageName): StageConfig['availabilityZones'] {
  if (value === undefined || value === '') return { count: DEFAULT_AZ_COUNT[stage] };
  const names = (Array.isArray(value) ? value.map(String) : String(value).split(','))
    .map((az) => az.trim())
    .filter((az) => az !== '');
  if (names.length < 2 || new Set(names).size !== names.length) {
    throw new StageConfigError(
      `Context availabilityZones must name at least 2 distinct AZs, comma-separated (got ${String(value)})`,
    );
  }
  return { count: names.length, names };
}

/** Production verifies tokens of an OIDC issuer; a shared HS256 key is for dev and LocalStack only. */
function jwksUrl(value: string | undefined, stage: StageName): string | undefined {
  if (stage !== 'prod') return value;
  if (!value) {
    throw new StageConfigError(
      'Context stage=prod needs context jwksUrl=https://<issuer>/.well-known/jwks.json (and jwtIssuer, jwtAudience): ' +
        "production verifies your identity provider's tokens; the generated HS256 key is for dev only.",
    );
  }
  if (!URL.canParse(value) || new URL(value).protocol !== 'https:') {
    throw new StageConfigError(`Context jwksUrl must be an https:// URL in prod (got ${value})`);
  }
  return value;
}

/** The generated key's tokens say `payments-local`; an identity provider's say its own issuer. */
function jwtIssuer(value: string | undefined, stage: StageName): string {
  if (value) return value;
  if (stage === 'prod') {
    throw new StageConfigError(
      "Context stage=prod needs context jwtIssuer=<the iss claim of your identity provider's tokens>: " +
        "the default (payments-local) is the dev key's, and would refuse every real token.",
    );
  }
  return 'payments-local';
}

/** WAF in prod unless opted out; elsewhere only when asked for. */
function waf(value: unknown, stage: StageName, target: Target): boolean {
  if (target !== 'aws') return false;
  if (value === undefined || value === '') return stage === 'prod';
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new StageConfigError(`Context waf must be true or false (got ${String(value)})`);
}

function rateLimit(value: unknown, key: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const limit = Number(value);
  const problem = checkRateLimit(limit);
  if (problem) throw new StageConfigError(`Context ${key} ${problem} (got ${String(value)})`);
  return limit;
}

export function readStageConfig(node: Node): StageConfig {
  const ctx = (key: string) => node.tryGetContext(key) as unknown;
  const str = (key: string) =>
    typeof ctx(key) === 'string' && ctx(key) !== '' ? (ctx(key) as string) : undefined;
  const target = oneOf(ctx('target') ?? 'aws', ['aws', 'localstack'] as const, 'target');
  const stage = oneOf(ctx('stage') ?? 'dev', ['dev', 'prod'] as const, 'stage');
  return {
    stage,
    target,
    jwt: {
      jwksUrl: jwksUrl(str('jwksUrl'), stage),
      issuer: jwtIssuer(str('jwtIssuer'), stage),
      audience: str('jwtAudience') ?? 'payments-api',
    },
    waf: waf(ctx('waf'), stage, target),
    rateLimits: {
      perToken: rateLimit(
        ctx('rateLimitPerTokenPerMinute'),
        'rateLimitPerTokenPerMinute',
        DEFAULT_RATE_LIMITS.perToken,
      ),
      perIp: rateLimit(ctx('rateLimitPerIpPerMinute'), 'rateLimitPerIpPerMinute', DEFAULT_RATE_LIMITS.perIp),
    },
    alarmEmail: str('alarmEmail'),
    availabilityZones: availabilityZones(ctx('availabilityZones'), stage),
    localDatabase: {
      host: str('localDbHost') ?? 'postgres',
      port: Number(str('localDbPort') ?? 5432),
      username: str('localDbUser') ?? 'payments',
      password: str('localDbPassword') ?? 'payments',
      dbname: str('localDbName') ?? 'payments',
    },
  };
}
