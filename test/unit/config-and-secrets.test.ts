import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { readSecret } from '../../lambdas/shared/adapters/secrets';
import { loadConfig } from '../../lambdas/shared/config';

const sm = mockClient(SecretsManagerClient);

// The cache is per secret ARN and lives as long as the module (a cold start): each test reads its own ARN.
beforeEach(() => {
  sm.reset();
});

describe('secrets', () => {
  it('reads a secret once per cold start', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"u"}' });
    expect(await readSecret('arn:secret:db')).toBe('{"username":"u"}');
    expect(await readSecret('arn:secret:db')).toBe('{"username":"u"}');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: 'arn:secret:db' });
  });

  it('does not cache a failed read', async () => {
    sm.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: 'ok' });
    await expect(readSecret('arn:secret:x')).rejects.toThrow('throttled');
    expect(await readSecret('arn:secret:x')).toBe('ok');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses a secret with no string value', async () => {
    sm.on(GetSecretValueCommand).resolves({});
    await expect(readSecret('arn:secret:bin')).rejects.toThrow(/no string value/);
  });
});

describe('config', () => {
  it('needs a database', () => {
    expect(() => loadConfig({})).toThrow(/DATABASE_URL or DATABASE_SECRET_ARN/);
    expect(loadConfig({ DATABASE_SECRET_ARN: 'arn:x' }).DATABASE_PREPARE).toBe(true);
  });

  it('allows a plain JWT secret only in the local stage', () => {
    const secret = 'x'.repeat(32);
    expect(loadConfig({ DATABASE_URL: 'postgres://h/db', JWT_SECRET: secret }).JWT_SECRET).toBe(secret);
    expect(() =>
      loadConfig({ APP_STAGE: 'prod', DATABASE_URL: 'postgres://h/db', JWT_SECRET: secret }),
    ).toThrow(/local stage only/);
  });

  it('parses numbers and booleans from strings', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://h/db',
      DATABASE_POOL_MAX: '3',
      DATABASE_PREPARE: 'false',
    });
    expect(c.DATABASE_POOL_MAX).toBe(3);
    expect(c.DATABASE_PREPARE).toBe(false);
  });
});

describe('connectDatabase', () => {
  it('builds the pool from the Secrets Manager secret, with the proxy host and no prepared statements', async () => {
    const { connectDatabase } = await import('../../lambdas/shared/adapters/postgres/database');
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        username: 'app',
        password: 'pw',
        host: 'db.internal',
        port: 5433,
        dbname: 'payments',
      }),
    });
    const config = loadConfig({
      APP_STAGE: 'prod',
      DATABASE_SECRET_ARN: 'arn:secret:pool',
      DATABASE_HOST: 'proxy.internal',
      DATABASE_PREPARE: 'false',
      DATABASE_SSL: 'require',
    });
    const db = await connectDatabase(config); // postgres.js connects lazily: no network here
    const options = db.options as unknown as {
      host: string[];
      port: number[];
      user: string;
      database: string;
      prepare: boolean;
      ssl: unknown;
    };
    expect(options).toMatchObject({
      host: ['proxy.internal'],
      port: [5433],
      user: 'app',
      database: 'payments',
      prepare: false,
      ssl: 'require',
    });
    await connectDatabase(config);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    await db.end();
  });
});
