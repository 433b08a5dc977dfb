import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Database, openDatabase } from '../../lambdas/shared/adapters/postgres/database';
import { startEmbeddedPostgres } from '../../local/embedded-postgres';
import { LOCAL_DATABASE_NAME, withDatabaseName } from '../../local/runtime-database';
import { isHolderAlive, readRuntimeLock } from '../../local/runtime-lock';
import { OpsError } from './backend';

// Which database the local commands read: --database-url, then DATABASE_URL (as `npm start` uses it), then
// the embedded PostgreSQL under the local data dir (LOCAL_DATA_DIR or .local): the running one, or started
// for this command and stopped after it.

export interface OpenedDatabase {
  db: Database;
  /** Where it came from, for the operator. */
  describe: string;
  close(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** postmaster.pid: line 1 the server's pid, line 4 its port. */
async function runningPort(postgresDir: string): Promise<number | undefined> {
  const pidFile = join(postgresDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) && Number.isInteger(port) ? port : undefined;
}

/** A server is up; the runtime lock says whether a runtime still runs on it or it was left behind. */
export async function describeServer(dataDir: string, port: number): Promise<string> {
  const holder = await readRuntimeLock(dataDir);
  if (holder && isHolderAlive(holder)) return `running local runtime (pid ${holder.pid}, 127.0.0.1:${port})`;
  return `PostgreSQL left running by a local runtime that is gone (127.0.0.1:${port}; the next npm start stops it)`;
}

const withDatabase = (serverUrl: string) => withDatabaseName(serverUrl, LOCAL_DATABASE_NAME);

export async function openLocalDatabase(options: {
  databaseUrl?: string;
  dataDir: string;
}): Promise<OpenedDatabase> {
  if (options.databaseUrl) {
    const db = openDatabase(options.databaseUrl, { max: 2 });
    return { db, describe: new URL(options.databaseUrl).host, close: () => db.end({ timeout: 2 }) };
  }
  const postgresDir = join(options.dataDir, 'postgres');
  const port = await runningPort(postgresDir);
  if (port) {
    const db = openDatabase(withDatabase(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`), {
      max: 2,
    });
    return { db, describe: await describeServer(options.dataDir, port), close: () => db.end({ timeout: 2 }) };
  }
  if (!existsSync(join(postgresDir, 'PG_VERSION'))) {
    throw new OpsError(
      `No local database under ${postgresDir}: start the platform once (npm start), or pass --database-url / DATABASE_URL`,
    );
  }
  const server = await startEmbeddedPostgres({ dataDir: postgresDir });
  const db = openDatabase(withDatabase(server.url), { max: 2 });
  return {
    db,
    describe: `local data dir ${options.dataDir} (embedded PostgreSQL started for this command)`,
    close: async () => {
      await db.end({ timeout: 2 });
      await server.stop();
    },
  };
}
