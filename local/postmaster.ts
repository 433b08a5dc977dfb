import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

// The embedded PostgreSQL server process (local/embedded-postgres.ts initialises its data directory).
// It runs detached, in a session of its own: a terminal's Ctrl-C goes to the whole foreground process
// group, and the runtime must drain before the database stops, so only the runtime stops it. A watchdog
// stops it when the process that started it dies without stopping it (kill -9), so none is left running.

const run = promisify(execFile);

/** The server binaries of this platform's embedded-postgres package. */
export async function postgresBinaries(): Promise<{ postgres: string; initdb: string }> {
  return import(`@embedded-postgres/${process.platform}-${process.arch}`);
}

export interface OsUser {
  uid: number;
  gid: number;
}

/** As root the server runs as OS user `postgres` (uid -1: not created yet); otherwise as us (undefined). */
export async function postgresUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return { uid: -1, gid: -1 };
  }
}

/** As root, the `postgres` OS user, created when missing (PostgreSQL refuses to run as root). */
export async function ensurePostgresUser(): Promise<OsUser | undefined> {
  const user = await postgresUser();
  if (!user || user.uid >= 0) return user;
  await run('groupadd', ['-f', 'postgres']);
  await run('useradd', ['-g', 'postgres', 'postgres']).catch(() => {}); // a concurrent start made it
  return postgresUser();
}

/**
 * The server binaries `user` can run. A checkout under a directory only root may enter (e.g. a 0700
 * temporary directory) hides them from `postgres`: then they run from a copy in the system's temporary
 * directory, made once per package path, and no permission outside our own files changes.
 */
export async function reachableBinaries(
  user: OsUser | undefined,
): Promise<{ postgres: string; initdb: string }> {
  const binaries = await postgresBinaries();
  if (!user || !(await firstUnreachable(dirname(binaries.postgres), user))) return binaries;
  const native = dirname(dirname(binaries.postgres));
  const copy = join(
    tmpdir(),
    `payments-postgres-${createHash('sha256').update(native).digest('hex').slice(0, 12)}`,
  );
  if (!existsSync(join(copy, 'bin', 'postgres'))) {
    const staging = `${copy}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await run('cp', ['-a', native, staging]);
    await chmod(staging, 0o755);
    await rename(staging, copy).catch(() => rm(staging, { recursive: true, force: true })); // another won
  }
  await assertPostgresUserCanReach(join(copy, 'bin'), user);
  return { postgres: join(copy, 'bin', 'postgres'), initdb: join(copy, 'bin', 'initdb') };
}

/** `initdb` of a new data directory, owned by the server's OS user, with the local password. */
export async function initialiseDataDir(dataDir: string, password: string, log: (line: string) => void) {
  const user = await ensurePostgresUser();
  const { initdb } = await reachableBinaries(user);
  await mkdir(dataDir, { recursive: true });
  if (user) await chown(dataDir, user.uid, user.gid);
  const passwordFile = join(tmpdir(), `pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o644 });
  try {
    const { stderr } = await run(
      initdb,
      [`--pgdata=${dataDir}`, '--auth=password', '--username=postgres', `--pwfile=${passwordFile}`].concat([
        '--lc-messages=C',
        '--encoding=UTF8',
        '--locale=C',
      ]),
      { ...(user ? { uid: user.uid, gid: user.gid } : {}), env: { ...process.env, LC_MESSAGES: 'C' } },
    );
    if (stderr) log(stderr);
  } finally {
    await unlink(passwordFile).catch(() => {});
  }
}

/** The first directory on the way to `target` that `user` may not enter, or undefined. */
export async function firstUnreachable(target: string, user: OsUser): Promise<string | undefined> {
  const chain: string[] = [];
  for (let dir = resolve(target); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dir === dirname(dir)) break;
  }
  for (const dir of chain) {
    const s = await stat(dir).catch(() => undefined);
    if (!s) return undefined; // not made yet: whoever makes it below a reachable parent decides
    const bit = s.uid === user.uid ? 0o100 : s.gid === user.gid ? 0o010 : 0o001;
    if (!(s.mode & bit)) return dir;
  }
  return undefined;
}

/** Fails with what to do when the server's OS user cannot reach `target` (never changes permissions). */
export async function assertPostgresUserCanReach(target: string, user: OsUser): Promise<void> {
  const blocked = await firstUnreachable(target, user);
  if (!blocked) return;
  throw new Error(
    `PostgreSQL runs as OS user "postgres" when started as root, and it cannot enter ${blocked} ` +
      `(on the way to ${target}). Either allow it (chmod o+x ${blocked}), put the checkout and ` +
      'LOCAL_DATA_DIR somewhere it can reach, or run as a non-root user.',
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return done();
}

/**
 * A postmaster left by a process that died without stopping it still holds the data directory: stop it.
 * Callers make sure it is a leftover (local/runtime-lock.ts for the runtime's own database).
 */
export async function stopOrphanedPostmaster(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  if (!isAlive(pid)) {
    await rm(pidFile, { force: true });
    return;
  }
  process.kill(pid, 'SIGINT'); // fast shutdown
  await waitUntil(() => !existsSync(pidFile), 10_000);
}

/** `sh` polls the starter's pid and stops the server once it is gone: a crash leaves no server behind. */
function startWatchdog(serverPid: number): ChildProcess {
  const script = 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -INT "$2" 2>/dev/null';
  const watchdog = spawn('sh', ['-c', script, 'postgres-watchdog', String(process.pid), String(serverPid)], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
  return watchdog;
}

export async function startPostmaster(options: {
  dataDir: string;
  port: number;
  flags: readonly string[];
  log: (line: string) => void;
}): Promise<{ pid: number; stop(): Promise<void> }> {
  const user = await postgresUser();
  const { postgres } = await reachableBinaries(user);
  const child = spawn(postgres, ['-D', options.dataDir, '-p', String(options.port), ...options.flags], {
    detached: true, // its own session: no terminal signals (see the top of this file)
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(user && user.uid >= 0 ? { uid: user.uid, gid: user.gid } : {}),
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  let output = '';
  await new Promise<void>((ready, fail) => {
    const onExit = (code: number | null) =>
      fail(new Error(`PostgreSQL exited (${code}) while starting:\n${output.slice(-4000)}`));
    child.once('exit', onExit);
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      options.log(text);
      if (output.length < 64_000) output += text;
      if (output.includes('database system is ready to accept connections')) {
        child.off('exit', onExit);
        ready();
      }
    });
  });
  const watchdog = startWatchdog(child.pid!);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid!,
    stop: () => {
      stopping ??= (async () => {
        watchdog.kill();
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        await exited;
      })();
      return stopping;
    },
  };
}
