import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { names } from '../lib/names';
import type { Topology } from '../lib/topology';
import type { LambdaHandler, LocalFunction } from './lambda-context';

// The topology's functions as the local runtime runs them: each handler module imported into this
// process, once, after the handler environment is set (they read it on load, as in a cold start).

const ROOT = resolve(import.meta.dirname, '..');

/** The functions something invokes at run time: route targets, the authorizer, consumers, schedules. */
export function invokedFunctions(topology: Topology): string[] {
  return [
    ...new Set([
      ...topology.routes.map((r) => r.function),
      topology.authorizer,
      ...Object.values(topology.queues).map((q) => q.consumer),
      ...Object.values(topology.schedules).map((s) => s.function),
    ]),
  ];
}

export type LoadedModule = Record<string, unknown>;

/**
 * Imports each function's handler module. `handlerOf` may substitute a handler built from the module's
 * other exports (the fault injection does, for the payment worker).
 */
export async function loadFunctions(
  topology: Topology,
  handlerOf: (name: string, module: LoadedModule) => LambdaHandler | undefined = () => undefined,
): Promise<Map<string, LocalFunction>> {
  const loaded = await Promise.all(
    invokedFunctions(topology).map(async (name): Promise<[string, LocalFunction]> => {
      const spec = topology.functions[name];
      if (!spec) throw new Error(`The topology names function ${name}, which it does not declare`);
      const entry = names.handlerEntry(name);
      const module = (await import(pathToFileURL(join(ROOT, entry)).href)) as LoadedModule;
      const handler = handlerOf(name, module) ?? module.handler;
      if (typeof handler !== 'function') throw new Error(`${entry} does not export a handler`);
      return [name, { name, spec, handler: handler as LambdaHandler }];
    }),
  );
  return new Map(loaded);
}
