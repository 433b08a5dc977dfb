import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Database, openDatabase, poolsByRole } from '../../lambdas/shared/adapters/postgres/database';
import { startEmbeddedPostgres } from '../../local/embedded-postgres';
import { LOCAL_DATABASE_NAME, withDatabaseName } from '../../local/runtime-database';
import { isHolderAlive, readRuntimeLock } from '../../local/runtime-lock';
import { OpsError } from './backend';

// Which database the local commands read: --database-url, then DATABASE_URL (as `npm start` uses it), then
// the embedded PostgreSQL under the local data dir (LOCAL_DATA_DIR or .local): the running one, or started
// for this command and stopped after it.

export interface OpenedDatabase {
  /** As the URL's user (the local server's owner): the local queues' tables. */
  db: Database;
  /**
   * The same database as PostgreSQL role `role` (docs/architecture.md, "Database roles"): the reports read as
   * the read-only ops role, a command doing a function's work runs as that function's role. One pool per role.
   */
  as(role: string): Database;
  /** Where it came from, for the operator. */
  describe: string;
  close(): Promise<void>;
}

/** `db` over `url`, with a pool per role `as` asks for, all closed by `close` before `release`. */
function opened(url: string, describe: string, release: () => Promise<void>): OpenedDatabase {
  const pools = poolsByRole((role) => openDatabase(url, { max: 2, role }));
  return {
    db: pools.own,
    describe,
    as: (role) => pools.as(role),
    close: async () => {
      await pools.end({ timeout: 2 });
      await release();
    },
  };
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
  const nothing = async () => {};
  if (options.databaseUrl) return opened(options.databaseUrl, new URL(options.databaseUrl).host, nothing);
  const postgresDir = join(options.dataDir, 'postgres');
  const port = await runningPort(postgresDir);
  if (port) {
    const url = withDatabase(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`);
    return opened(url, await describeServer(options.dataDir, port), nothing);
  }
  if (!existsSync(join(postgresDir, 'PG_VERSION'))) {
    throw new OpsError(
      `No local database under ${postgresDir}: start the platform once (npm start), or pass --database-url / DATABASE_URL`,
    );
  }
  const server = await startEmbeddedPostgres({ dataDir: postgresDir });
  return opened(
    withDatabase(server.url),
    `local data dir ${options.dataDir} (embedded PostgreSQL started for this command)`,
    () => server.stop(),
  );
}
