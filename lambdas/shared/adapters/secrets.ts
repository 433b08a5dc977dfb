import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { traced } from '../observability';
import { awsClientConfig } from './aws-client-config';

const cache = new Map<string, Promise<string>>();
let client: SecretsManagerClient | undefined;

/** Reads a secret once per cold start; a failed read is not cached so the next call retries. */
export function readSecret(secretArn: string): Promise<string> {
  let pending = cache.get(secretArn);
  if (!pending) {
    client ??= traced(new SecretsManagerClient(awsClientConfig));
    pending = client.send(new GetSecretValueCommand({ SecretId: secretArn })).then((out) => {
      if (!out.SecretString) throw new Error(`Secret ${secretArn} has no string value`);
      return out.SecretString;
    });
    pending.catch(() => cache.delete(secretArn));
    cache.set(secretArn, pending);
  }
  return pending;
}
