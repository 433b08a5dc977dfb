import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Ctrl-C belongs to whoever started the server (the runtime drains, then stops it): importing the module
// and starting a server, initialising its data directory too, hooks no signal that would stop the
// server or exit the process first. Checked in a fresh process, where nothing was imported before.

const ROOT = resolve(import.meta.dirname, '..', '..');

it('starting (and initialising) the embedded PostgreSQL adds no signal or exit hook', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pg-signals-'));
  const script = `
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'exit'];
    const counts = () => events.map((e) => process.listenerCount(e)).join(',');
    const before = counts();
    const { startEmbeddedPostgres } = await import('./local/embedded-postgres.ts');
    const pg = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(join(dir, 'postgres'))} });
    const after = counts();
    await pg.stop();
    process.stdout.write(JSON.stringify({ before, after }));`;
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const { before, after } = JSON.parse(run.stdout || '{}') as { before?: string; after?: string };
    expect(before).toBeDefined();
    expect(after).toBe(before);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 90_000);
