import { AsyncLocalStorage } from 'node:async_hooks';
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

/**
 * Which function's role the current invocation runs as where several functions share one process and one
 * DATABASE_URL (the local runtime from the sources, docs/architecture.md, "Database roles"): the pool of
 * `connectDatabase` then keeps a pool per role and sends each query to the pool of the role in scope.
 * Never set in Lambda, where a process is one function and DATABASE_USER names its role.
 */
export const databaseRoleScope = new AsyncLocalStorage<string>();

export function openDatabase(
  url: string,
  options: {
    max?: number;
    prepare?: boolean;
    ssl?: DatabaseTls;
    /** Sign in as the URL's user, then act as this role (a startup parameter: it lasts the session). */
    role?: string;
  } = {},
) {
  const target = socketOf(url);
  return postgres(target.url, {
    ...(target.path ? { path: target.path } : {}),
    ...(options.role ? { connection: { role: options.role } as Record<string, string> } : {}),
    max: options.max ?? 5,
    prepare: options.prepare ?? true,
    ssl: options.ssl ?? false,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    types,
  }) as unknown as Database;
}

/** `open()`'s own pool and one per PostgreSQL role, each opened on first use; `end` closes them all. */
export function poolsByRole(open: (role?: string) => Database) {
  const own = open();
  const pools = new Map<string, Database>();
  return {
    own,
    as(role: string): Database {
      let pool = pools.get(role);
      if (!pool) {
        pool = open(role);
        pools.set(role, pool);
      }
      return pool;
    },
    async end(options?: { timeout?: number }): Promise<void> {
      await Promise.all([own, ...pools.values()].map((pool) => pool.end(options)));
    },
  };
}

/** One Database over a pool per role: the role in `databaseRoleScope`, else `open()`'s own user. */
function routedByRole(open: (role?: string) => Database): Database {
  const pools = poolsByRole(open);
  const current = (): Database => {
    const role = databaseRoleScope.getStore();
    return role ? pools.as(role) : pools.own;
  };
  return new Proxy(pools.own, {
    apply: (_target, thisArg, args) =>
      Reflect.apply(current() as unknown as (...a: unknown[]) => unknown, thisArg, args),
    get: (_target, property) => {
      if (property === 'end') return pools.end;
      const pool = current();
      const value = Reflect.get(pool, property);
      return typeof value === 'function' ? value.bind(pool) : value;
    },
  });
}

const common = (config: DatabaseConfig) => ({
  max: config.DATABASE_POOL_MAX,
  prepare: config.DATABASE_PREPARE,
  // verify-full: Node's CA store, which holds Amazon's roots (RDS Proxy's certificate is ACM's; the
  // instance's RDS CA is added by NODE_EXTRA_CA_CERTS on the migrator, lib/constructs/database.ts).
  ssl: tlsOf(config.DATABASE_SSL),
  idle_timeout: 30,
  connect_timeout: 10,
  onnotice: () => {},
  types,
});

/**
 * Connects as the function's own role (docs/architecture.md, "Database roles"):
 * - DATABASE_URL: its user signs in and takes DATABASE_USER's role, or the role in `databaseRoleScope`
 *   (the local runtime; the URL's user must be allowed to, as the owner is);
 * - DATABASE_SECRET_ARN: the master credentials (the migrator; on LocalStack, the container's throwaway
 *   ones, then taking DATABASE_USER's role), read afresh on every call so a rotated password is picked up;
 * - DATABASE_USER and DATABASE_HOST: IAM authentication to RDS Proxy as that user, a fresh token (valid 15
 *   minutes) for each new connection, so nothing is kept that could expire.
 */
export async function connectDatabase(config: DatabaseConfig): Promise<Database> {
  const role = config.DATABASE_USER;
  if (config.DATABASE_URL) {
    const url = config.DATABASE_URL;
    const pool = {
      max: config.DATABASE_POOL_MAX,
      prepare: config.DATABASE_PREPARE,
      ssl: tlsOf(config.DATABASE_SSL),
    };
    const open = (scoped?: string) => openDatabase(url, { ...pool, role: scoped });
    return role ? open(role) : routedByRole(open);
  }
  if (config.DATABASE_SECRET_ARN) {
    // Loaded here, not at the top: the Secrets Manager adapter builds the Powertools singletons (via
    // observability), and the local runtime imports this module before it sets the handlers' environment
    // (POWERTOOLS_LOG_LEVEL and friends would be read too early; test/unit/local-import-order.test.ts).
    const { readSecret } = await import('../secrets');
    const secret = JSON.parse(
      await readSecret(config.DATABASE_SECRET_ARN, { fresh: true }),
    ) as DatabaseSecret;
    return postgres({
      host: config.DATABASE_HOST ?? secret.host,
      port: secret.port ?? config.DATABASE_PORT,
      database: secret.dbname ?? config.DATABASE_NAME,
      username: secret.username,
      password: secret.password,
      ...(role ? { connection: { role } as Record<string, string> } : {}),
      ...common(config),
    }) as unknown as Database;
  }
  const { iamAuthToken } = await import('./iam-auth');
  const target = { hostname: config.DATABASE_HOST!, port: config.DATABASE_PORT, username: role! };
  return postgres({
    host: target.hostname,
    port: target.port,
    database: config.DATABASE_NAME,
    username: target.username,
    password: () => iamAuthToken(target),
    ...common(config),
  }) as unknown as Database;
}
