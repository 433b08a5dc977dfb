import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import type { BundledFunction } from './cloud-assembly';
import type { LambdaHandler } from './lambda-context';

// The parent side of local/bundle-host.mjs: one child process per bundled function, started (and its
// bundle initialised) up front, restarted after it dies, each invocation a message with its deadline.

const HOST = resolve(import.meta.dirname, 'bundle-host.mjs');

type HostMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: RemoteError }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: RemoteError };

interface RemoteError {
  name: string;
  message: string;
  stack?: string;
}

/** An error thrown inside the bundle, as the parent sees it (name and message kept, as Lambda reports them). */
function rebuild(remote: RemoteError): Error {
  const error = new Error(remote.message);
  error.name = remote.name;
  if (remote.stack) error.stack = remote.stack;
  return error;
}

export class BundleProcess {
  private child: ChildProcess | undefined;
  private starting: Promise<ChildProcess> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(
    private readonly fn: BundledFunction,
    /** Set by the runtime, not the template: the Lambda service's own variables and local stand-ins. */
    private readonly runtimeEnvironment: Record<string, string>,
    private readonly output: (chunk: Buffer) => void,
  ) {}

  get name(): string {
    return this.fn.name;
  }

  /** Spawns the process and initialises the bundle; rejects with the bundle's own init error. */
  start(): Promise<ChildProcess> {
    this.starting ??= new Promise<ChildProcess>((ready, fail) => {
      const child = fork(HOST, [this.fn.dir, this.fn.handler], {
        cwd: this.fn.dir,
        env: { ...this.fn.environment, ...this.runtimeEnvironment },
        execArgv: [], // not the parent's TypeScript loader: a bundle runs on node alone
        serialization: 'advanced',
        detached: true, // not in the terminal's process group: Ctrl-C goes to the runtime, which drains first
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      child.stdout!.on('data', this.output);
      child.stderr!.on('data', this.output);
      child.on('message', (message: HostMessage) => {
        if (message.type === 'ready') {
          this.child = child;
          ready(child);
        } else if (message.type === 'init-error') {
          fail(rebuild(message.error));
        } else {
          const waiter = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.type === 'result') waiter?.resolve(message.result);
          else waiter?.reject(rebuild(message.error));
        }
      });
      child.once('exit', (code, signal) => {
        const died = new Error(`${this.fn.name} exited (${signal ?? code}) during an invocation`);
        for (const waiter of this.pending.values()) waiter.reject(died);
        this.pending.clear();
        if (this.child === child) this.child = undefined;
        this.starting = undefined; // the next invocation starts a fresh process, as after a Lambda crash
        fail(new Error(`${this.fn.name} exited (${signal ?? code}) before it was ready`));
      });
    });
    return this.starting;
  }

  /** The LocalFunction handler: the event and the context's deadline go to the child. */
  readonly handler: LambdaHandler = async (event: unknown, context: Context) => {
    const child = this.child ?? (await this.start());
    const id = this.nextId++;
    const fields = {
      callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      invokedFunctionArn: context.invokedFunctionArn,
      memoryLimitInMB: context.memoryLimitInMB,
      awsRequestId: context.awsRequestId,
      logGroupName: context.logGroupName,
      logStreamName: context.logStreamName,
    };
    const deadline = Date.now() + context.getRemainingTimeInMillis();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.send({ id, event, context: fields, deadline });
    });
  };

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  }
}
