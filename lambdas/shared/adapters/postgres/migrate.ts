import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from './database';
import { inTransaction } from './transaction';

// Any constant works; it only has to be the same for every process that migrates this database.
const MIGRATION_LOCK_ID = 7_421_901;
const FILE_PATTERN = /^(\d{4})_[\w-]+\.sql$/;

/**
 * What a migration's checksum covers: its SQL without `--` comments and trailing white space, so a
 * comment can be corrected after a deploy while any change to the statements is still refused. (A `--`
 * inside a string literal would be cut too; the migrations have none, and a cut only weakens the check.)
 */
export function migrationChecksum(text: string): string {
  const sql = text
    .split('\n')
    .map((line) => line.replace(/--.*$/, '').trimEnd())
    .filter((line) => line !== '')
    .join('\n');
  return createHash('sha256').update(sql).digest('hex');
}

export interface MigrationResult {
  applied: string[];
  skipped: string[];
}

/**
 * Applies `dir`'s numbered SQL files in order, each once, in one transaction under an advisory lock.
 * A migration whose file changed after it was applied is refused (checksum mismatch).
 */
export async function migrate(
  db: Database,
  dir: string,
  options: { trackingTable?: string } = {},
): Promise<MigrationResult> {
  // A second set of migrations (the local runtime's queues) keeps its own tracking table.
  const tracking = db(options.trackingTable ?? 'schema_migrations');
  const files = (await readdir(dir)).filter((f) => FILE_PATTERN.test(f)).sort();
  const migrations = await Promise.all(
    files.map(async (name) => {
      const text = await readFile(join(dir, name), 'utf8');
      return { name, text, checksum: migrationChecksum(text) };
    }),
  );
  const result: MigrationResult = { applied: [], skipped: [] };
  await inTransaction(db, async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`;
    await tx`
      CREATE TABLE IF NOT EXISTS ${tracking} (
        name       text PRIMARY KEY,
        checksum   text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`;
    const done = new Map(
      (await tx<{ name: string; checksum: string }[]>`SELECT name, checksum FROM ${tracking}`).map((r) => [
        r.name,
        r.checksum,
      ]),
    );
    for (const m of migrations) {
      const previous = done.get(m.name);
      if (previous !== undefined) {
        if (previous !== m.checksum) {
          throw new Error(
            `Migration ${m.name} was changed after it was applied (checksum mismatch). A local runtime's ` +
              'database made before the change can be dropped: delete its data directory (LOCAL_DATA_DIR, .local).',
          );
        }
        result.skipped.push(m.name);
        continue;
      }
      await tx.unsafe(m.text);
      await tx`INSERT INTO ${tracking} (name, checksum) VALUES (${m.name}, ${m.checksum})`;
      result.applied.push(m.name);
    }
  });
  return result;
}
