import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { type Database, openDatabase } from '../../lambdas/shared/adapters/postgres/database';
import { migrate } from '../../lambdas/shared/adapters/postgres/migrate';

export const MIGRATIONS_DIR = resolve('migrations');

export interface TestDatabase {
  db: Database;
  url: string;
  name: string;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run integration tests through jest (global setup)');
  return url;
}

/** A fresh, migrated database of its own for one test file, dropped by `drop()`. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = openDatabase(serverUrl(), { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const db = openDatabase(url.toString(), { max: 10 });
  if (options.migrate !== false) await migrate(db, MIGRATIONS_DIR);
  return {
    db,
    url: url.toString(),
    name,
    drop: async () => {
      await db.end({ timeout: 5 });
      const cleanup = openDatabase(serverUrl(), { max: 1 });
      await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
