import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../lib/topology';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './event-bus';

/** A handler module's export, as the local runtime calls it. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export class InvocationTimeoutError extends Error {
  override name = 'InvocationTimeoutError';
}

/** A fresh Lambda-like context per invocation, with the function's timeout as its deadline. */
export function createLambdaContext(name: string, spec: FunctionSpec): Context {
  const functionName = `payments-local-${name}`;
  const deadline = Date.now() + spec.timeoutSeconds * 1000;
  const unsupported = () => {
    throw new Error('Callback-style completion is not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${process.pid}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * Invokes a handler with a fresh context; past the function's timeout the invocation counts as
 * failed, as in Lambda (the promise cannot be killed in-process, so it is left to settle).
 */
export async function invokeHandler(
  name: string,
  spec: FunctionSpec,
  handler: LambdaHandler,
  event: unknown,
): Promise<unknown> {
  const context = createLambdaContext(name, spec);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new InvocationTimeoutError(`${name} timed out after ${spec.timeoutSeconds} s`)),
      spec.timeoutSeconds * 1000,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(() => handler(event, context)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
