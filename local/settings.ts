import { existsSync } from 'node:fs';
import * as z from 'zod';
import { DEFAULT_RATE_LIMITS, RATE_LIMIT_WINDOW_SECONDS } from '../lib/rate-limits';

// Every setting `npm start` reads (README, "Quick start"), checked at once with one schema: a wrong one
// stops the start with a message naming it, before anything is touched.

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
const blankIsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
/** A whole number from `min`, as the environment spells it. */
const count = (min: number, fallback: number) =>
  z.preprocess(
    blankIsUnset,
    z
      .string()
      .trim()
      .regex(/^\d{1,10}$/, `must be a whole number from ${min}`)
      .transform(Number)
      .refine((n) => n >= min, `must be a whole number from ${min}`)
      .default(fallback),
  );

const settingsSchema = z.object({
  PORT: z.preprocess(
    blankIsUnset,
    z
      .string()
      .regex(/^\d{1,5}$/, 'must be a port number from 0 to 65535')
      .transform(Number)
      .refine((n) => n <= 65_535, 'must be a port number from 0 to 65535')
      .default(3000),
  ),
  HOST: z.preprocess(
    blankIsUnset,
    z
      .string()
      .regex(/^[\w.:-]+$/, 'must be a host name or IP address to listen on')
      .optional(),
  ),
  LOCAL_DATA_DIR: z.preprocess(blankIsUnset, z.string().optional()),
  DATABASE_URL: z.preprocess(
    blankIsUnset,
    z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof blankIsUnset(v) === 'string' ? (v as string).trim().toUpperCase() : undefined),
    z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`).optional(),
  ),
  LOCAL_BUNDLES: z.preprocess(
    blankIsUnset,
    z
      .string()
      .refine((dir) => existsSync(dir), 'no such directory (make it with `npx cdk synth -o cdk.out`)')
      .optional(),
  ),
  // The WAF rate limits (lib/rate-limits.ts); 0 switches a rule off.
  RATE_LIMIT_PER_TOKEN_PER_MINUTE: count(0, DEFAULT_RATE_LIMITS.perToken),
  RATE_LIMIT_PER_IP_PER_MINUTE: count(0, DEFAULT_RATE_LIMITS.perIp),
  // The window the limits count over: 60 s as in WAF; shorter only for tests, which then wait less.
  RATE_LIMIT_WINDOW_SECONDS: count(1, RATE_LIMIT_WINDOW_SECONDS),
  LOCAL_CONSUMERS: z.preprocess(
    (v) => (typeof blankIsUnset(v) === 'string' ? (v as string).trim().toLowerCase() : undefined),
    z.enum(['on', 'off'], 'must be on or off').default('on'),
  ),
  // The local console at GET / (docs/architecture.md, "Local console"); off: GET / is the API's, as in AWS.
  LOCAL_CONSOLE: z.preprocess(
    (v) => (typeof blankIsUnset(v) === 'string' ? (v as string).trim().toLowerCase() : undefined),
    z.enum(['on', 'off'], 'must be on or off').default('on'),
  ),
});

export type LocalSettings = z.infer<typeof settingsSchema>;

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** The settings from `env`, or a SettingsError naming each wrong one (`NAME=value: what it must be`). */
export function parseLocalSettings(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const parsed = settingsSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    return `${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
  });
  throw new SettingsError(`Invalid setting ${lines.join('; ')}`);
}
