// Namespace import (not the `z` export): esbuild then drops the parts of zod we do not use, e.g. its locales.
import * as z from 'zod';

// One validated view of the environment per kind of function: each reads only what it needs, so a
// function the stack gives no database (the authorizer) starts without one. Secrets are never read
// from here in AWS: only their ARNs. lib/ gives each function these variables; test/infra checks that
// every function's template environment satisfies the schema its handler loads.

const LOCAL = 'local';

const stage = {
  /** `local` for the local runtime and tests; the stage name (dev, prod) in AWS. */
  APP_STAGE: z.string().default(LOCAL),
};

const tokens = {
  JWT_ISSUER: z.string().default('payments-local'),
  JWT_AUDIENCE: z.string().default('payments-api'),
  JWT_JWKS_URL: z.string().url().optional(),
  JWT_SECRET_ARN: z.string().optional(),
  /** HS256 secret for the local runtime only; refused outside the local stage. */
  JWT_SECRET: z.string().min(32).optional(),
};

const database = {
  DATABASE_URL: z.string().url().optional(),
  /** The master credentials: the migrator's alone (docs/architecture.md, "Database roles"). */
  DATABASE_SECRET_ARN: z.string().optional(),
  /**
   * The function's own PostgreSQL role (lib/names.ts `databaseRole`). Without DATABASE_URL it signs in to
   * DATABASE_HOST (RDS Proxy) with IAM as this user; with it, the URL's user signs in and takes this role.
   */
  DATABASE_USER: z.string().optional(),
  /** RDS Proxy endpoint, or the instance's for the migrator; the secret's own host is used when absent. */
  DATABASE_HOST: z.string().optional(),
  DATABASE_PORT: z.coerce.number().int().min(1).max(65535).default(5432),
  DATABASE_NAME: z.string().default('payments'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(5),
  /** Named prepared statements pin RDS Proxy connections; off in AWS. */
  DATABASE_PREPARE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** `require` encrypts; `verify-full` also checks the server's certificate and host name (RDS Proxy). */
  DATABASE_SSL: z.enum(['disable', 'require', 'verify-full']).default('disable'),
};

const platform = {
  /** The bus the function publishes to; required outside the local stage (no default bus in AWS). */
  EVENT_BUS_NAME: z.string().optional(),
  /** Simulated gateway (the default provider): share of charges failing transiently, and timing out. */
  GATEWAY_TRANSIENT_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
  GATEWAY_TIMEOUT_RATE: z.coerce.number().min(0).max(1).default(0),
  /** How long a worker remembers a side effect it performed (gateway charge, notification send). */
  WORKER_IDEMPOTENCY_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600),
  /** The always-on relay's poll interval when idle: bounds a lone event's wait (docs/architecture.md, "Outbox"). */
  OUTBOX_RELAY_POLL_MS: z.coerce.number().int().min(5).max(1000).default(20),
  OUTBOX_RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(100),
};

/** The retention function (docs/architecture.md, "Retention"). */
const retention = {
  /** API idempotency keys are kept this long (>= 24 h); a retry after that makes a new payment. */
  RETENTION_IDEMPOTENCY_KEY_HOURS: z.coerce
    .number()
    .int()
    .min(24)
    .default(7 * 24),
  /** Published outbox rows are kept this many days (the bus archive keeps the events themselves). */
  RETENTION_PUBLISHED_OUTBOX_DAYS: z.coerce.number().int().min(1).default(7),
  /** The analytics run log (one row per run: every 5 s locally) is kept this many days. */
  RETENTION_ANALYTICS_RUN_DAYS: z.coerce.number().int().min(1).default(30),
  /** Rows per DELETE: each batch is its own short transaction, so the hot path never waits long. */
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
};

/** The analytics function (docs/architecture.md, "Analytics"). */
const analytics = {
  /** The exports bucket (AWS); set by the construct that owns the bucket and grants the writes. */
  ANALYTICS_BUCKET_NAME: z.string().optional(),
  /** A directory instead of the bucket: the local runtime's stand-in. Wins over the bucket when both are set. */
  ANALYTICS_EXPORT_DIR: z.string().optional(),
  /**
   * Changes younger than this wait for the next run. It must outlast any transaction that stamps a payment's
   * time before it commits: the writers' Lambda timeouts (30 s) bound those, with a wide margin.
   */
  ANALYTICS_SAFE_LAG_SECONDS: z.coerce.number().int().min(0).default(300),
  /** Changes per batch; each batch is one short transaction. */
  ANALYTICS_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
};

type Issues = z.core.$RefinementCtx;

function needsDatabase(
  env: {
    DATABASE_URL?: string;
    DATABASE_SECRET_ARN?: string;
    DATABASE_USER?: string;
    DATABASE_HOST?: string;
  },
  ctx: Issues,
): void {
  const iam = env.DATABASE_USER && env.DATABASE_HOST;
  if (!env.DATABASE_URL && !env.DATABASE_SECRET_ARN && !iam) {
    ctx.addIssue({
      code: 'custom',
      message: 'DATABASE_URL, DATABASE_SECRET_ARN, or DATABASE_USER with DATABASE_HOST is required',
    });
  }
}

/** The authorizer: who signs tokens and how to check them. */
export const tokenConfigSchema = z.object({ ...stage, ...tokens }).superRefine((env, ctx) => {
  if (env.JWT_SECRET && env.APP_STAGE !== LOCAL) {
    ctx.addIssue({ code: 'custom', message: 'JWT_SECRET is for the local stage only; use JWT_SECRET_ARN' });
  }
  if (!env.JWT_JWKS_URL && !env.JWT_SECRET_ARN && !env.JWT_SECRET) {
    ctx.addIssue({ code: 'custom', message: 'JWT_JWKS_URL or JWT_SECRET_ARN is required' });
  }
});

/** The migrator: the database and nothing else. */
export const databaseConfigSchema = z.object({ ...stage, ...database }).superRefine(needsDatabase);

/** The retention function: the database and how long data is kept. */
export const retentionConfigSchema = z
  .object({ ...stage, ...database, ...retention })
  .superRefine(needsDatabase);

/** How long data is kept, alone (`npm run ops -- retention run` reads it from the operator's environment). */
export const retentionSettingsSchema = z.object(retention);
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

/** The retention use case's policy and batch size, from the settings. */
export function retentionPolicyOf(settings: RetentionSettings) {
  return {
    policy: {
      idempotencyKeyHours: settings.RETENTION_IDEMPOTENCY_KEY_HOURS,
      publishedOutboxDays: settings.RETENTION_PUBLISHED_OUTBOX_DAYS,
      analyticsRunDays: settings.RETENTION_ANALYTICS_RUN_DAYS,
    },
    batchSize: settings.RETENTION_BATCH_SIZE,
  };
}

/** The analytics function: the database, where the exports go and how far behind it reads. */
export const analyticsConfigSchema = z
  .object({ ...stage, ...database, ...analytics })
  .superRefine((env, ctx) => {
    needsDatabase(env, ctx);
    if (!env.ANALYTICS_BUCKET_NAME && !env.ANALYTICS_EXPORT_DIR) {
      ctx.addIssue({ code: 'custom', message: 'ANALYTICS_BUCKET_NAME or ANALYTICS_EXPORT_DIR is required' });
    }
  });
export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;

/** The API, the workers and the outbox relay: the database, the bus and their settings. */
export const platformConfigSchema = z
  .object({ ...stage, ...database, ...platform })
  .superRefine((env, ctx) => {
    needsDatabase(env, ctx);
    if (!env.EVENT_BUS_NAME && env.APP_STAGE !== LOCAL) {
      ctx.addIssue({ code: 'custom', message: 'EVENT_BUS_NAME is required outside the local stage' });
    }
  })
  .transform((env) => ({ ...env, EVENT_BUS_NAME: env.EVENT_BUS_NAME ?? 'payments' }));

export type TokenConfig = z.infer<typeof tokenConfigSchema>;
export type DatabaseConfig = z.infer<typeof databaseConfigSchema>;
export type Config = z.infer<typeof platformConfigSchema>;
export type RetentionConfig = z.infer<typeof retentionConfigSchema>;

/** Parses `env` with `schema`; the error lists every problem at once (a cold start fails loudly). */
export function loadConfig<Schema extends z.ZodType>(
  schema: Schema,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<Schema> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid configuration: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return parsed.data;
}
