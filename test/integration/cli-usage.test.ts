import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Every command-line tool answers --help, and wrong usage with one line and exit status 2, never a stack
// trace (scripts/cli.ts).

const ROOT = resolve(import.meta.dirname, '..', '..');

function runCli(entry: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
    });
    child.on('exit', (status) => done({ status, stdout, stderr }));
  });
}

const TOOLS = ['bin/token.ts', 'bin/ops.ts', 'bin/chaos.ts', 'bin/fuzz.ts', 'bench/run.ts', 'bin/local.ts'];

describe('command-line usage', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cli-usage-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it.each(TOOLS)(
    '%s --help prints its usage and exits 0',
    async (entry) => {
      const { status, stdout, stderr } = await runCli(entry, ['--help']);
      expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
      expect(stdout).toMatch(/^Usage: /);
    },
    30_000,
  );

  it.each(TOOLS)(
    '%s with an unknown option says so in one line, exit status 2',
    async (entry) => {
      const { status, stdout, stderr } = await runCli(entry, ['--bogus']);
      expect(status).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/Unknown option '--bogus'.*--help/);
    },
    30_000,
  );

  it.each([
    [['--expires-in', 'abc'], /--expires-in must be a number from 1 to 31536000 \(got "abc"\)/],
    [['--user'], /Option '--user <value>' argument missing/],
  ])(
    'token %j is a one-line usage error',
    async (args, message) => {
      const { status, stderr } = await runCli('bin/token.ts', args, { LOCAL_DATA_DIR: dataDir });
      expect(status).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(message);
    },
    30_000,
  );

  it('cdk synth with a wrong context value is a one-line usage error', async () => {
    const { status, stderr } = await runCli('bin/app.ts', [], {
      CDK_CONTEXT_JSON: JSON.stringify({ stage: 'staging' }),
      CDK_OUTDIR: join(dataDir, 'cdk.out'),
    });
    expect(status).toBe(2);
    expect(stderr).toBe(
      'cdk: Context stage must be one of dev, prod (got staging) (see README, "Deploy to AWS")\n',
    );
  }, 60_000);

  it('token prints a token for --user and --expires-in', async () => {
    const { status, stdout } = await runCli('bin/token.ts', ['--user', 'u-1', '--expires-in', '60'], {
      LOCAL_DATA_DIR: dataDir,
    });
    expect(status).toBe(0);
    const payload = JSON.parse(Buffer.from(stdout.trim().split('.')[1]!, 'base64url').toString('utf8'));
    expect(payload.sub).toBe('u-1');
    expect(payload.exp - payload.iat).toBe(60);
  }, 30_000);
});
