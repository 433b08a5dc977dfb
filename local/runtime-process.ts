import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

// `bin/local.ts` as a child process, for the tools that drive the runtime from outside
// (the e2e tests, the chaos run, the bench): spawn it and wait for its ready line.

const ROOT = resolve(import.meta.dirname, '..');

/** The one line bin/local.ts prints when it serves; the tools wait for it. */
export function readyLine(baseUrl: string, readyMs: number): string {
  return `Payments platform ready at ${baseUrl} (${readyMs} ms)`;
}
const READY = /Payments platform ready at (http:\/\/\S+)/;

/**
 * The environment for a runtime of its own: this port and data directory, quiet logs, and never the
 * caller's DATABASE_URL (a test harness's or a shell's server is not this runtime's database).
 */
export function ownRuntimeEnv(
  port: number,
  dataDir: string,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    LOCAL_DATA_DIR: dataDir,
    LOG_LEVEL: 'ERROR',
    ...extra,
  };
  delete env.DATABASE_URL;
  return env;
}

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Another checkout to run the runtime from (the bench's A/B against an older commit); default this one. */
  cwd?: string;
  /** Node flags before the entry point (e.g. `--cpu-prof`). */
  nodeArgs?: readonly string[];
  /** The script to run, relative to the repository root (default `bin/local.ts`, i.e. `npm start`). */
  entry?: string;
  /** Leads a process group of its own, as a terminal's foreground job does (to signal the group). */
  detached?: boolean;
  /** Sees all output, before and after the ready line; the pipes are drained either way. */
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
}

/** Resolves once the runtime printed its ready line; rejects (with its output) if it exits or times out first. */
export function spawnLocalRuntime(options: SpawnOptions): Promise<{ child: ChildProcess; baseUrl: string }> {
  const entry = options.entry ?? 'bin/local.ts';
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', entry], {
    cwd: options.cwd ?? ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let output = ''; // a bounded tail, for the error message
  return new Promise((ready, fail) => {
    let started = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`Local runtime not ready in ${options.timeoutMs} ms:\n${output}`));
    }, options.timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      fail(new Error(`Local runtime exited with ${code}:\n${output}`));
    };
    const listen = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      options.onOutput?.(chunk, stream);
      if (started) return;
      output = `${output}${chunk.toString()}`.slice(-20_000);
      const match = READY.exec(output);
      if (match) {
        started = true;
        clearTimeout(timer);
        child.off('exit', onExit);
        ready({ child, baseUrl: match[1]! });
      }
    };
    child.stdout!.on('data', listen('stdout'));
    child.stderr!.on('data', listen('stderr'));
    child.once('exit', onExit);
  });
}

/** Resolves with the exit code once the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}
