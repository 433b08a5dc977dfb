import { names } from '../lib/names';

// The account, region, stage and ARNs the local runtime plays, in one place: AWS's shapes, local values.

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
/** The local runtime is a stage of its own (lib/names.ts `inStage`); also its API Gateway stage and id. */
export const LOCAL_STAGE = 'local';
export const LOCAL_API_ID = 'local';

export const localArn = {
  queue: (queue: string) => `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${queue}`,
  bus: (bus: string) => `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${bus}`,
  /** The EventBridge rule that runs a schedule (a rate rule on the default bus, as the stack builds it). */
  scheduleRule: (schedule: string) =>
    `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${names.inStage(LOCAL_STAGE, schedule)}`,
  function: (fn: string) =>
    `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${names.inStage(LOCAL_STAGE, fn)}`,
  /** A secret the runtime serves, named by its logical id in the stack. */
  secret: (logicalId: string) =>
    `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${logicalId}`,
  stack: (stackName: string) =>
    `arn:aws:cloudformation:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stack/${stackName}/local`,
  method: (method: string, path: string) =>
    `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${LOCAL_API_ID}/${LOCAL_STAGE}/${method}${path}`,
};

/** A queue's URL on a local endpoint (`<endpoint>/<account>/<queue>`, as SQS builds them). */
export function localQueueUrl(endpoint: string, queue: string): string {
  return `${endpoint.replace(/\/$/, '')}/${LOCAL_ACCOUNT}/${queue}`;
}
