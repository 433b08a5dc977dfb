import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { readSecret } from '../../lambdas/shared/adapters/secrets';
import {
  databaseConfigSchema,
  loadConfig,
  platformConfigSchema,
  tokenConfigSchema,
} from '../../lambdas/shared/config';

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
  const platform = (env: NodeJS.ProcessEnv) => loadConfig(platformConfigSchema, env);

  it('needs a database where the function uses one', () => {
    expect(() => platform({})).toThrow(
      /DATABASE_URL, DATABASE_SECRET_ARN, or DATABASE_USER with DATABASE_HOST/,
    );
    expect(() => loadConfig(databaseConfigSchema, {})).toThrow(
      /DATABASE_URL, DATABASE_SECRET_ARN, or DATABASE_USER with DATABASE_HOST/,
    );
    expect(platform({ DATABASE_SECRET_ARN: 'arn:x' }).DATABASE_PREPARE).toBe(true);
  });

  it('lets the authorizer start with token settings only (no database)', () => {
    const config = loadConfig(tokenConfigSchema, { APP_STAGE: 'dev', JWT_SECRET_ARN: 'arn:jwt' });
    expect(config).toMatchObject({ JWT_SECRET_ARN: 'arn:jwt', JWT_ISSUER: 'payments-local' });
    expect(() => loadConfig(tokenConfigSchema, { APP_STAGE: 'dev' })).toThrow(
      /JWT_JWKS_URL or JWT_SECRET_ARN is required/,
    );
  });

  it('allows a plain JWT secret only in the local stage', () => {
    const secret = 'x'.repeat(32);
    expect(loadConfig(tokenConfigSchema, { JWT_SECRET: secret }).JWT_SECRET).toBe(secret);
    expect(() => loadConfig(tokenConfigSchema, { APP_STAGE: 'prod', JWT_SECRET: secret })).toThrow(
      /local stage only/,
    );
  });

  it('needs the bus name outside the local stage, where there is no default bus', () => {
    expect(platform({ DATABASE_URL: 'postgres://h/db' }).EVENT_BUS_NAME).toBe('payments');
    expect(() => platform({ APP_STAGE: 'dev', DATABASE_SECRET_ARN: 'arn:x' })).toThrow(/EVENT_BUS_NAME/);
    expect(
      platform({ APP_STAGE: 'dev', DATABASE_SECRET_ARN: 'arn:x', EVENT_BUS_NAME: 'payments-dev' })
        .EVENT_BUS_NAME,
    ).toBe('payments-dev');
  });

  it('parses numbers and booleans from strings, and knows only three TLS modes', () => {
    const c = platform({
      DATABASE_URL: 'postgres://h/db',
      DATABASE_POOL_MAX: '3',
      DATABASE_PREPARE: 'false',
      DATABASE_SSL: 'verify-full',
    });
    expect(c.DATABASE_POOL_MAX).toBe(3);
    expect(c.DATABASE_PREPARE).toBe(false);
    expect(c.DATABASE_SSL).toBe('verify-full');
    expect(() => platform({ DATABASE_URL: 'postgres://h/db', DATABASE_SSL: 'prefer' })).toThrow();
  });
});

describe('connectDatabase', () => {
  it('builds the pool from the Secrets Manager secret: the proxy host, a verified TLS session, no prepared statements', async () => {
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
    const config = loadConfig(databaseConfigSchema, {
      APP_STAGE: 'prod',
      DATABASE_SECRET_ARN: 'arn:secret:pool',
      DATABASE_HOST: 'proxy.internal',
      DATABASE_PREPARE: 'false',
      DATABASE_SSL: 'verify-full',
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
      ssl: 'verify-full', // postgres.js: TLS with Node's certificate and host name checks
    });
    // Read afresh per call: the master secret rotates, and the next invocation picks the new password up.
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ username: 'app', password: 'rotated', host: 'db.internal' }),
    });
    const again = await connectDatabase(config);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect((again.options as unknown as { pass: string }).pass).toBe('rotated');
    await Promise.all([db.end(), again.end()]);
  });
});

describe('connectDatabase with IAM (RDS Proxy)', () => {
  it('signs in as DATABASE_USER with a fresh IAM token as the password, and reads no secret', async () => {
    const { connectDatabase } = await import('../../lambdas/shared/adapters/postgres/database');
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'not-a-real-key',
    });
    try {
      const config = loadConfig(databaseConfigSchema, {
        APP_STAGE: 'prod',
        DATABASE_USER: 'payments_api',
        DATABASE_HOST: 'proxy.internal',
        DATABASE_SSL: 'verify-full',
        DATABASE_PREPARE: 'false',
      });
      const db = await connectDatabase(config); // postgres.js connects lazily: no network here
      const options = db.options as unknown as {
        host: string[];
        user: string;
        database: string;
        pass: unknown;
      };
      expect(options).toMatchObject({ host: ['proxy.internal'], user: 'payments_api', database: 'payments' });
      // postgres.js calls the password function for each new connection: a token signed for this user and host.
      const pass = options.pass as () => Promise<string>;
      const token = await pass();
      expect(token).toMatch(/^proxy\.internal:5432\/\?Action=connect&DBUser=payments_api&/);
      expect(token).toContain('X-Amz-Signature=');
      expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
      await db.end();
    } finally {
      process.env = saved;
    }
  });
});
