import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../local/embedded-postgres';

// One PostgreSQL per test run; each test file makes its own database (see ./database.ts).
// A given DATABASE_URL wins and nothing is started.
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const dataDir = await mkdtemp(join(tmpdir(), 'payments-test-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir });
  process.env.DATABASE_URL = pg.url;
  (globalThis as { __testPostgres?: unknown }).__testPostgres = { ...pg, dataDir };
}
