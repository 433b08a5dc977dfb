import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { names } from '../lib/names';
import type { Topology } from '../lib/topology';
import { BundleProcess } from './bundle-process';
import type { BundledFunction } from './cloud-assembly';
import type { LambdaHandler, LocalFunction } from './lambda-context';

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

function specOf(topology: Topology, name: string) {
  const spec = topology.functions[name];
  if (!spec) throw new Error(`The topology names function ${name}, which it does not declare`);
  return spec;
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
      return [name, { name, spec, handler: handler as LambdaHandler }];
    }),
  );
  return new Map(loaded);
}

export interface BundledFunctions {
  functions: Map<string, LocalFunction>;
  stop(): Promise<void>;
}

/** Starts a process per bundled function and initialises every bundle; fails with the first init error. */
export async function startBundledFunctions(
  topology: Topology,
  bundled: ReadonlyMap<string, BundledFunction>,
  options: {
    /** The Lambda service's own variables and local stand-ins, per function. */
    runtimeEnvironment(fn: BundledFunction): Record<string, string>;
    output(name: string, chunk: Buffer): void;
  },
): Promise<BundledFunctions> {
  const processes = invokedFunctions(topology).map((name) => {
    const fn = bundled.get(name);
    if (!fn) throw new Error(`No bundle for function ${name}`);
    return new BundleProcess(fn, options.runtimeEnvironment(fn), (chunk) => options.output(name, chunk));
  });
  const stop = async () => {
    await Promise.allSettled(processes.map((p) => p.stop()));
  };
  const started = await Promise.allSettled(processes.map((p) => p.start()));
  const failed = started.findIndex((s) => s.status === 'rejected');
  if (failed >= 0) {
    await stop();
    const { reason } = started[failed] as PromiseRejectedResult;
    throw new Error(
      `The ${processes[failed]!.name} bundle failed to initialise: ${(reason as Error).message}`,
    );
  }
  return {
    functions: new Map(
      processes.map((p) => [p.name, { name: p.name, spec: specOf(topology, p.name), handler: p.handler }]),
    ),
    stop,
  };
}
