import { join, resolve } from 'node:path';
import { type Database, openDatabase } from '../lambdas/shared/adapters/postgres/database';
import { migrate } from '../lambdas/shared/adapters/postgres/migrate';
import { startEmbeddedPostgres } from './embedded-postgres';

// The local runtime's database: the embedded PostgreSQL under the data directory unless a URL is given,
// with the local queues' tables, and held by one runtime at a time. The product's schema is applied by
// the migrator function, as the stack's custom resource does (local/runtime.ts).

const ROOT = resolve(import.meta.dirname, '..');
const LOCAL_MIGRATIONS = join(ROOT, 'local', 'migrations');
/** The database `npm start` creates on its embedded server (the ops CLI finds it by this name). */
export const LOCAL_DATABASE_NAME = 'payments';
/** One runtime per database: two would take each other's in-flight messages for abandoned ones. */
const RUNTIME_LOCK_ID = 7_421_902;

export interface RuntimeDatabase {
  db: Database;
  url: string;
  /** How a function reaches the embedded server over TCP: the fields of an RDS credentials secret. */
  credentials?: { host: string; port: number; username: string; password: string; dbname: string };
  /** Releases the lock, closes the pool and stops the embedded server (if this runtime started it). */
  close(): Promise<void>;
}

/** `serverUrl` with its database part replaced by `name`. */
export function withDatabaseName(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates database `name` on the server unless it exists; its URL. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = openDatabase(serverUrl, { max: 1 });
  try {
    const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (!exists) await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return withDatabaseName(serverUrl, name);
}

export async function openRuntimeDatabase(options: {
  dataDir: string;
  databaseUrl?: string;
  /** The embedded server also serves TLS with this certificate. */
  tls?: { cert: string; key: string };
}): Promise<RuntimeDatabase> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch(() => {});
  };
  try {
    let url = options.databaseUrl;
    let credentials: RuntimeDatabase['credentials'];
    if (!url) {
      const pg = await startEmbeddedPostgres({
        dataDir: join(options.dataDir, 'postgres'),
        tls: options.tls,
      });
      closers.push(() => pg.stop());
      url = await ensureDatabase(pg.url, LOCAL_DATABASE_NAME);
      const { username, password } = new URL(pg.url);
      credentials = { host: 'localhost', port: pg.port, username, password, dbname: LOCAL_DATABASE_NAME };
    }
    const db: Database = openDatabase(url, { max: 20 });
    closers.push(() => db.end({ timeout: 2 }));
    await migrate(db, LOCAL_MIGRATIONS, { trackingTable: 'local_schema_migrations' });

    const lock = await db.reserve();
    closers.push(async () => lock.release());
    const [{ locked } = { locked: false }] = await lock<{ locked: boolean }[]>`
      SELECT pg_try_advisory_lock(${RUNTIME_LOCK_ID}) AS locked`;
    if (!locked) throw new Error('Another local runtime is already using this database');
    return { db, url, credentials, close };
  } catch (error) {
    await close();
    throw error;
  }
}
