import { rm } from 'node:fs/promises';
import type { RunningPostgres } from '../../local/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as { __testPostgres?: RunningPostgres & { dataDir: string } }).__testPostgres;
  if (!pg) return;
  await pg.stop();
  await rm(pg.dataDir, { recursive: true, force: true });
}
