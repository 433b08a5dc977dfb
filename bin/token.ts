import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { signDevToken } from '../lambdas/shared/auth/dev-token';
import { loadConfig } from '../lambdas/shared/config';
import { loadOrCreateDevSecret, localDataDir } from '../local/dev-secret';

// `npm run token -- --user <id>`: prints a dev JWT for the local runtime, and nothing else.

const { values } = parseArgs({
  options: { user: { type: 'string' }, 'expires-in': { type: 'string', default: '3600' } },
});
const config = loadConfig({ ...process.env, APP_STAGE: 'local', DATABASE_URL: 'postgres://unused/unused' });
const token = await signDevToken({
  userId: values.user ?? randomUUID(),
  secret: await loadOrCreateDevSecret(localDataDir()),
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
  expiresInSeconds: Number(values['expires-in']),
});
process.stdout.write(`${token}\n`);
