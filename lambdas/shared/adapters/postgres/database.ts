import postgres, { type Sql } from 'postgres';
import type { DatabaseConfig } from '../../config';

export type Database = Sql;
/** What a repository function needs: the pool or a transaction, both run tagged queries. */
// biome-ignore lint/complexity/noBannedTypes: postgres.js's own default type parameter
export type Queryable = postgres.ISql<{}>;

/** The shape of an RDS-generated credentials secret. */
interface DatabaseSecret {
  username: string;
  password: string;
  host: string;
  port?: number;
  dbname?: string;
}

// int8 as a JS number: amounts are bounded far below 2^53 and ledger sums stay there too.
const types = {
  bigint: { to: 20, from: [20], serialize: (x: number) => x.toString(), parse: (x: string) => Number(x) },
};

/**
 * libpq's `?host=/socket/dir` form: a Unix-domain socket in that directory (the embedded server's), which
 * costs a round trip about a tenth less CPU than loopback TCP. postgres.js takes it as `path`.
 */
export function socketOf(url: string): { url: string; path?: string } {
  const parsed = new URL(url);
  const dir = parsed.searchParams.get('host');
  if (!dir?.startsWith('/')) return { url };
  parsed.searchParams.delete('host');
  return { url: parsed.toString(), path: `${dir}/.s.PGSQL.${parsed.port || 5432}` };
}

/** TLS to the server: none, encrypted (`require`), or encrypted with its certificate and host name checked. */
export type DatabaseTls = false | 'require' | 'verify-full';

const tlsOf = (setting: DatabaseConfig['DATABASE_SSL']): DatabaseTls =>
  setting === 'disable' ? false : setting;

export function openDatabase(
  url: string,
  options: { max?: number; prepare?: boolean; ssl?: DatabaseTls } = {},
) {
  const target = socketOf(url);
  return postgres(target.url, {
    ...(target.path ? { path: target.path } : {}),
    max: options.max ?? 5,
    prepare: options.prepare ?? true,
    ssl: options.ssl ?? false,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    types,
  }) as unknown as Database;
}

/** Connects from DATABASE_URL, or from the Secrets Manager secret (read once per cold start). */
export async function connectDatabase(config: DatabaseConfig): Promise<Database> {
  const common = { max: config.DATABASE_POOL_MAX, prepare: config.DATABASE_PREPARE };
  if (config.DATABASE_URL) {
    return openDatabase(config.DATABASE_URL, { ...common, ssl: tlsOf(config.DATABASE_SSL) });
  }
  // Loaded here, not at the top: the Secrets Manager adapter builds the Powertools singletons (via
  // observability), and the local runtime imports this module before it sets the handlers' environment
  // (POWERTOOLS_LOG_LEVEL and friends would be read too early; test/unit/local-import-order.test.ts).
  const { readSecret } = await import('../secrets');
  const secret = JSON.parse(await readSecret(config.DATABASE_SECRET_ARN!)) as DatabaseSecret;
  return postgres({
    host: config.DATABASE_HOST ?? secret.host,
    port: secret.port ?? 5432,
    database: secret.dbname ?? 'payments',
    username: secret.username,
    password: secret.password,
    // verify-full: Node's own CA store, which holds Amazon's roots (RDS Proxy's certificate is ACM's).
    ssl: tlsOf(config.DATABASE_SSL),
    max: common.max,
    prepare: common.prepare,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    types,
  }) as unknown as Database;
}
