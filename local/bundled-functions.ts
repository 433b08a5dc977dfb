import type { Topology } from '../lib/topology';
import { localArn } from './aws-identity';
import { BundleProcess } from './bundle-process';
import type { BundledFunction, CloudAssembly } from './cloud-assembly';
import { invokedFunctions, type RunningFunctions, specOf } from './functions';
import { bundleRuntimeEnvironment } from './handler-environment';
import type { RuntimeDatabase } from './runtime-database';

// The functions from the bundles `cdk synth` made (LOCAL_BUNDLES): each in a process of its own with its
// template's environment, the secrets it names served by the runtime, every bundle initialised up front.

/** Starts a process per bundled function and initialises every bundle; fails with the first init error. */
async function startProcesses(
  topology: Topology,
  bundled: ReadonlyMap<string, BundledFunction>,
  options: {
    /** The Lambda service's own variables and local stand-ins, per function. */
    runtimeEnvironment(fn: BundledFunction): Record<string, string>;
    output(name: string, chunk: Buffer): void;
  },
): Promise<RunningFunctions> {
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

/** The bundles `cdk synth` made, each with its template's environment; secrets they name are served here. */
export async function startBundles(parts: {
  assembly: CloudAssembly;
  topology: Topology;
  database: RuntimeDatabase;
  jwtSecret: string;
  secrets: Map<string, string>;
  caFile: string;
  endpoint: string;
  logLevel: string;
  dataDir: string;
  log: (message: string) => void;
}): Promise<RunningFunctions> {
  const { credentials } = parts.database;
  if (!credentials) throw new Error('LOCAL_BUNDLES runs on the embedded PostgreSQL: unset DATABASE_URL');
  const secretValues: Record<string, string> = {
    DATABASE_SECRET_ARN: JSON.stringify({ engine: 'postgres', ...credentials }),
    JWT_SECRET_ARN: parts.jwtSecret,
  };
  const bundled = parts.assembly.functions({
    databaseHost: credentials.host,
    secretArn: (variable, logicalId) => {
      const value = secretValues[variable];
      if (value === undefined) throw new Error(`${variable}: no local secret stands in for it`);
      const arn = localArn.secret(logicalId);
      parts.secrets.set(arn, value);
      return arn;
    },
  });
  return startProcesses(parts.topology, bundled, {
    runtimeEnvironment: (fn) => bundleRuntimeEnvironment(fn, parts),
    output: (name, chunk) => {
      if (parts.logLevel !== 'SILENT') parts.log(`${name}: ${chunk.toString().trimEnd()}`);
    },
  });
}
