import { randomUUID } from 'node:crypto';
import { signDevToken } from '../lambdas/shared/auth/dev-token';
import { loadConfig, tokenConfigSchema } from '../lambdas/shared/config';
import { loadOrCreateDevSecret, localDataDir } from '../local/dev-secret';
import { numberOption, parseCli, usageError } from '../scripts/cli';

// `npm run token -- --user <id>`: prints a dev JWT for the local runtime, and nothing else.

const COMMAND = 'npm run -s token --';
const { values } = parseCli({
  command: COMMAND,
  usage: `Usage: ${COMMAND} [--user <id>] [--expires-in <seconds>]

Prints a JWT the local runtime accepts (signed with the dev secret under LOCAL_DATA_DIR, default .local/).
  --user <id>               the token's subject, at most 128 characters (default: a new random UUID)
  --expires-in <seconds>    lifetime, 1 to 31536000 (default 3600)
  -h, --help                this text`,
  options: { user: { type: 'string' }, 'expires-in': { type: 'string', default: '3600' } },
});
const expiresInSeconds = Math.floor(numberOption(COMMAND, 'expires-in', values['expires-in'], 1, 31_536_000));
if (values.user !== undefined && (values.user.length === 0 || values.user.length > 128))
  usageError(COMMAND, '--user must be 1 to 128 characters');

const secret = await loadOrCreateDevSecret(localDataDir());
const config = loadConfig(tokenConfigSchema, { ...process.env, APP_STAGE: 'local', JWT_SECRET: secret });
const token = await signDevToken({
  userId: values.user ?? randomUUID(),
  secret,
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
  expiresInSeconds,
});
process.stdout.write(`${token}\n`);
