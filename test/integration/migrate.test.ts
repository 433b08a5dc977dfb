import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../lambdas/shared/adapters/postgres/migrate';
import { createTestDatabase, MIGRATIONS_DIR, type TestDatabase } from '../support/database';

describe('migrate', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase({ migrate: false });
  });
  afterEach(() => t.drop());

  it('applies every migration once, in order, and skips them on the next run', async () => {
    const first = await migrate(t.db, MIGRATIONS_DIR);
    expect(first.applied.length).toBeGreaterThan(0);
    expect(first.applied).toEqual([...first.applied].sort());
    const second = await migrate(t.db, MIGRATIONS_DIR);
    expect(second.applied).toEqual([]);
    expect(second.skipped).toEqual(first.applied);
  });

  it('runs concurrent migrators safely under the advisory lock', async () => {
    const results = await Promise.all([migrate(t.db, MIGRATIONS_DIR), migrate(t.db, MIGRATIONS_DIR)]);
    const appliedCounts = results.map((r) => r.applied.length).sort();
    expect(appliedCounts[0]).toBe(0);
    expect(appliedCounts[1]).toBeGreaterThan(0);
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    await writeFile(join(dir, '0001_a.sql'), 'CREATE TABLE a (id int);');
    await migrate(t.db, dir);
    await writeFile(join(dir, '0001_a.sql'), 'CREATE TABLE a (id bigint);');
    await expect(migrate(t.db, dir)).rejects.toThrow(/checksum mismatch/);
  });

  it('lets a comment change after the migration was applied, and nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    await writeFile(join(dir, '0001_a.sql'), '-- first words\nCREATE TABLE a (id int); -- a table\n');
    await migrate(t.db, dir);
    await writeFile(join(dir, '0001_a.sql'), '-- better words\n\nCREATE TABLE a (id int);   \n');
    expect(await migrate(t.db, dir)).toEqual({ applied: [], skipped: ['0001_a.sql'] });
    await writeFile(join(dir, '0001_a.sql'), '-- better words\nCREATE TABLE a (id int, b int);\n');
    await expect(migrate(t.db, dir)).rejects.toThrow(/checksum mismatch/);
  });

  it('rolls back a failing migration entirely', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    await writeFile(join(dir, '0001_ok.sql'), 'CREATE TABLE ok (id int);');
    await writeFile(join(dir, '0002_bad.sql'), 'CREATE TABLE broken (id nosuchtype);');
    await expect(migrate(t.db, dir)).rejects.toThrow();
    const [row] = await t.db`SELECT to_regclass('ok') IS NOT NULL AS exists`;
    expect(row?.exists).toBe(false);
  });
});
