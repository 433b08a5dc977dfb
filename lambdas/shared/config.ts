// Namespace import (not the `z` export): esbuild then drops the parts of zod we do not use, e.g. its locales.
import * as z from 'zod';

// One validated view of the environment. Secrets are never read from here in AWS: only their ARNs.
const schema = z
  .object({
    APP_STAGE: z.string().default('local'),
    DATABASE_URL: z.string().url().optional(),
    DATABASE_SECRET_ARN: z.string().optional(),
    /** RDS Proxy endpoint; the secret's own host is used when absent. */
    DATABASE_HOST: z.string().optional(),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(5),
    /** Named prepared statements pin RDS Proxy connections; off in AWS. */
    DATABASE_PREPARE: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    DATABASE_SSL: z.enum(['disable', 'require']).default('disable'),
    EVENT_BUS_NAME: z.string().default('payments'),
    JWT_ISSUER: z.string().default('payments-local'),
    JWT_AUDIENCE: z.string().default('payments-api'),
    JWT_JWKS_URL: z.string().url().optional(),
    JWT_SECRET_ARN: z.string().optional(),
    /** HS256 secret for the local runtime only; refused outside the local stage. */
    JWT_SECRET: z.string().min(32).optional(),
    /** Simulated gateway (the default provider): share of charges failing transiently, and timing out. */
    GATEWAY_TRANSIENT_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
    GATEWAY_TIMEOUT_RATE: z.coerce.number().min(0).max(1).default(0),
    /** How long a worker remembers a side effect it performed (gateway charge, notification send). */
    WORKER_IDEMPOTENCY_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .default(7 * 24 * 3600),
    /** The relay leaves younger rows to the producer's own after-commit dispatch. */
    OUTBOX_RELAY_GRACE_SECONDS: z.coerce.number().int().min(0).default(2),
    OUTBOX_RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(100),
  })
  .superRefine((env, ctx) => {
    if (!env.DATABASE_URL && !env.DATABASE_SECRET_ARN) {
      ctx.addIssue({ code: 'custom', message: 'DATABASE_URL or DATABASE_SECRET_ARN is required' });
    }
    if (env.JWT_SECRET && env.APP_STAGE !== 'local') {
      ctx.addIssue({ code: 'custom', message: 'JWT_SECRET is for the local stage only; use JWT_SECRET_ARN' });
    }
  });

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid configuration: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return parsed.data;
}
