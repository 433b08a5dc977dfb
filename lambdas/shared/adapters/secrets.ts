import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { traced } from '../observability';
import { awsClientConfig } from './aws-client-config';

const cache = new Map<string, Promise<string>>();
let client: SecretsManagerClient | undefined;

function fetchSecret(secretArn: string): Promise<string> {
  client ??= traced(new SecretsManagerClient(awsClientConfig));
  return client.send(new GetSecretValueCommand({ SecretId: secretArn })).then((out) => {
    if (!out.SecretString) throw new Error(`Secret ${secretArn} has no string value`);
    return out.SecretString;
  });
}

/**
 * Reads a secret once per cold start; a failed read is not cached so the next call retries. `fresh` reads
 * it again and caches nothing: for a secret that rotates (the database's master credentials, which the
 * migrator reads per invocation, docs/architecture.md, "Database roles").
 */
export function readSecret(secretArn: string, options: { fresh?: boolean } = {}): Promise<string> {
  if (options.fresh) return fetchSecret(secretArn);
  let pending = cache.get(secretArn);
  if (!pending) {
    pending = fetchSecret(secretArn);
    pending.catch(() => cache.delete(secretArn));
    cache.set(secretArn, pending);
  }
  return pending;
}
