import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../local/embedded-postgres';
import { firstUnreachable } from '../../local/postmaster';

// As root the server runs as OS user `postgres`: nothing outside the data directory it was given has its
// permissions changed; a directory that user cannot enter stops the start with what to do.

describe('embedded PostgreSQL and directory permissions', () => {
  let base: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'pg-perms-')); // mode 0700
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  it('finds the first directory another user cannot enter', async () => {
    await mkdir(join(base, 'private'), { mode: 0o700 });
    expect(await firstUnreachable(join(base, 'private', 'data'), { uid: 98_765, gid: 98_765 })).toBe(base);
    const owner = await stat(base);
    expect(await firstUnreachable(join(base, 'private', 'data'), owner)).toBeUndefined();
  });

  it('never changes a private parent: as root it refuses with a hint, otherwise it just starts', async () => {
    const privateDir = join(base, 'private');
    await mkdir(privateDir, { mode: 0o700 });
    const dataDir = join(privateDir, 'local', 'postgres');
    const before = [(await stat(base)).mode, (await stat(privateDir)).mode];
    if (process.getuid?.() === 0) {
      await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(
        new RegExp(`cannot enter ${base}.*chmod o\\+x ${base}`),
      );
    } else {
      const pg = await startEmbeddedPostgres({ dataDir });
      await pg.stop();
    }
    expect([(await stat(base)).mode, (await stat(privateDir)).mode]).toEqual(before);
  }, 60_000);
});
