import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { signDevToken } from '../lambdas/shared/auth/dev-token';
import { loadConfig, tokenConfigSchema } from '../lambdas/shared/config';
import { loadOrCreateDevSecret, localDataDir } from '../local/dev-secret';

// `npm run token -- --user <id>`: prints a dev JWT for the local runtime, and nothing else.

const { values } = parseArgs({
  options: { user: { type: 'string' }, 'expires-in': { type: 'string', default: '3600' } },
});
const secret = await loadOrCreateDevSecret(localDataDir());
const config = loadConfig(tokenConfigSchema, { ...process.env, APP_STAGE: 'local', JWT_SECRET: secret });
const token = await signDevToken({
  userId: values.user ?? randomUUID(),
  secret,
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
  expiresInSeconds: Number(values['expires-in']),
});
process.stdout.write(`${token}\n`);
