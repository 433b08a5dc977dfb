import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { names, STACK_OUTPUTS } from '../../lib/names';
import { type QueueName, topology } from '../../lib/topology';
import { OpsError, queueNames } from './backend';

// Where a deployed stage keeps its queues: read from the stack's outputs (lib/payments-stack.ts).

export interface StackResources {
  stackName: string;
  busName: string;
  queues: Record<QueueName, { url?: string; deadLetterUrl: string }>;
  /** Dead-letter queues of EventBridge targets, by target name (bus rules and schedules). */
  targetDeadLetterUrls: Record<string, string>;
}

/** Target DLQ names the stack creates: one per bus rule and one per schedule. */
const targetNames = [
  ...Object.keys(topology.rules).map(names.ruleTarget),
  ...Object.keys(topology.schedules).map(names.scheduleTarget),
];

export async function discoverStack(cloudFormation: CloudFormationClient, stackName: string) {
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const stack = Stacks?.[0];
  if (!stack) throw new OpsError(`Stack ${stackName} not found`);
  const outputs = new Map((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const required = (key: string) => {
    const value = outputs.get(key);
    if (!value) throw new OpsError(`Stack ${stackName} has no output ${key}: is it a payments stack?`);
    return value;
  };
  const queues = Object.fromEntries(
    queueNames.map((name) => [
      name,
      {
        url: outputs.get(STACK_OUTPUTS.queueUrl(name)),
        deadLetterUrl: required(STACK_OUTPUTS.deadLetterQueueUrl(name)),
      },
    ]),
  ) as StackResources['queues'];
  // Stacks deployed before the ops CLI have no target DLQ outputs; those DLQs are then skipped.
  const targetDeadLetterUrls = Object.fromEntries(
    targetNames.flatMap((name) => {
      const url = outputs.get(STACK_OUTPUTS.targetDeadLetterQueueUrl(name));
      return url ? [[name, url]] : [];
    }),
  );
  return {
    stackName,
    busName: required(STACK_OUTPUTS.eventBusName),
    queues,
    targetDeadLetterUrls,
  } satisfies StackResources;
}
