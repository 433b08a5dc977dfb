import { resolve } from 'node:path';
import { migrate } from '../../lambdas/shared/adapters/postgres/migrate';
import { createTestDatabase, type TestDatabase } from './database';

/** A fresh test database with the product schema plus the local runtime's queue tables. */
export async function createLocalTestDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  await migrate(database.db, resolve('local/migrations'), { trackingTable: 'local_schema_migrations' });
  return database;
}
