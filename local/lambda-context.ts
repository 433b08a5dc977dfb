import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { names } from '../lib/names';
import type { FunctionSpec } from '../lib/topology';
import { LOCAL_STAGE, localArn } from './aws-identity';

/** A handler module's export, as the local runtime calls it. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** A topology function the local runtime can invoke. */
export interface LocalFunction {
  /** Its topology key. */
  name: string;
  spec: FunctionSpec;
  handler: LambdaHandler;
}

export class InvocationTimeoutError extends Error {
  override name = 'InvocationTimeoutError';
}

/** A Lambda context for function `name`; `remainingMs` says how much of its deadline is left. */
export function createLambdaContext(
  fn: { name: string; memoryMb: number },
  remainingMs: () => number,
): Context {
  const functionName = names.inStage(LOCAL_STAGE, fn.name);
  const unsupported = () => {
    throw new Error('Callback-style completion is not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: localArn.function(fn.name),
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${process.pid}`,
    getRemainingTimeInMillis: () => Math.max(0, remainingMs()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * Invokes a function with a fresh context whose deadline is its timeout; past it the invocation counts
 * as failed, as in Lambda (the promise cannot be killed in-process, so it is left to settle). `cutShort`
 * (the runtime stopping) brings the deadline to now, so a handler that watches its remaining time (the
 * always-on relay) ends at once.
 */
export async function invokeFunction(
  fn: LocalFunction,
  event: unknown,
  options: { cutShort?: AbortSignal } = {},
): Promise<unknown> {
  const deadline = Date.now() + fn.spec.timeoutSeconds * 1000;
  const context = createLambdaContext({ name: fn.name, memoryMb: fn.spec.memoryMb }, () =>
    options.cutShort?.aborted ? 0 : deadline - Date.now(),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new InvocationTimeoutError(`${fn.name} timed out after ${fn.spec.timeoutSeconds} s`)),
      fn.spec.timeoutSeconds * 1000,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(() => fn.handler(event, context)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
