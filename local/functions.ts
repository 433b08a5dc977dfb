import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { databaseRoleScope } from '../lambdas/shared/adapters/postgres/database';
import { names } from '../lib/names';
import type { Topology } from '../lib/topology';
import { localArn } from './aws-identity';
import { invokeFunction, type LambdaHandler, type LocalFunction } from './lambda-context';

// The topology's functions as the local runtime runs them: from the sources, each handler module
// imported into this process (after the handler environment is set: modules read it on load, as in a
// cold start), or from the bundles `cdk synth` made, each in a process of its own with its template's
// environment (LOCAL_BUNDLES).

const ROOT = resolve(import.meta.dirname, '..');

/** The functions something invokes at run time: routes, authorizer, migrator, consumers, schedules. */
export function invokedFunctions(topology: Topology): string[] {
  return [
    ...new Set([
      ...topology.routes.map((r) => r.function),
      topology.authorizer,
      topology.migrator,
      ...Object.values(topology.queues).map((q) => q.consumer),
      ...Object.values(topology.schedules).map((s) => s.function),
    ]),
  ];
}

export function specOf(topology: Topology, name: string) {
  const spec = topology.functions[name];
  if (!spec) throw new Error(`The topology names function ${name}, which it does not declare`);
  return spec;
}

/**
 * The handler run as its function's database role (docs/architecture.md, "Database roles"): the functions
 * share this process and its DATABASE_URL (the owner's), so each invocation's queries go to a pool of its
 * own role. The migrator stays the owner, as in AWS.
 */
function inOwnRole(topology: Topology, name: string, handler: LambdaHandler): LambdaHandler {
  if (!specOf(topology, name).usesDatabase || name === topology.migrator) return handler;
  const role = names.databaseRole(name);
  return (event, context) => databaseRoleScope.run(role, () => handler(event, context));
}

/** The functions the runtime invokes, by topology key, and how to stop them. */
export interface RunningFunctions {
  functions: Map<string, LocalFunction>;
  stop(): Promise<unknown>;
}

export type LoadedModule = Record<string, unknown>;

/**
 * Imports each function's handler module. `handlerOf` may substitute a handler built from the module's
 * other exports (the fault injection does, for the payment worker).
 */
export async function loadSourceFunctions(
  topology: Topology,
  handlerOf: (name: string, module: LoadedModule) => LambdaHandler | undefined = () => undefined,
): Promise<Map<string, LocalFunction>> {
  const loaded = await Promise.all(
    invokedFunctions(topology).map(async (name): Promise<[string, LocalFunction]> => {
      const spec = specOf(topology, name);
      const entry = names.handlerEntry(name);
      const module = (await import(pathToFileURL(join(ROOT, entry)).href)) as LoadedModule;
      const handler = handlerOf(name, module) ?? module.handler;
      if (typeof handler !== 'function') throw new Error(`${entry} does not export a handler`);
      return [name, { name, spec, handler: inOwnRole(topology, name, handler as LambdaHandler) }];
    }),
  );
  return new Map(loaded);
}

/** The CloudFormation custom resource event the stack's provider sends the migrator on a deploy. */
function schemaMigrationEvent(stackName: string) {
  return {
    RequestType: 'Create',
    ServiceToken: 'local',
    ResponseURL: 'http://localhost/unused',
    StackId: localArn.stack(stackName),
    RequestId: randomUUID(),
    LogicalResourceId: 'Migrations',
    ResourceType: 'Custom::SchemaMigrations',
    ResourceProperties: { ServiceToken: 'local' },
  };
}

/** Applies the schema as a deploy does: the topology's migrator, invoked as the stack's custom resource invokes it. */
export async function applySchema(
  topology: Topology,
  functionFor: (name: string) => LocalFunction,
  stackName: string,
): Promise<void> {
  await invokeFunction(functionFor(topology.migrator), schemaMigrationEvent(stackName));
}
