import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { openDatabase } from '../lambdas/shared/adapters/postgres/database';
import { names } from '../lib/names';
import type { RateLimits } from '../lib/rate-limits';
import { topology as platformTopology, type Topology } from '../lib/topology';
import { ApiEntry } from './api-entry';
import { startBundles } from './bundled-functions';
import { readCloudAssembly } from './cloud-assembly';
import type { LocalConsole } from './console/server';
import { type Consumers, startConsumers } from './consumers';
import { loadOrCreateDevSecret } from './dev-secret';
import { LocalEventBus } from './event-bus';
import type { LocalFaults } from './faults';
import { applySchema, loadSourceFunctions, type RunningFunctions } from './functions';
import { sourceEnvironment } from './handler-environment';
import { createLocalHttpServer } from './http-server';
import type { PollerHooks } from './poller';
import { QueueStore } from './queue-store';
import { RateLimiter } from './rate-limiter';
import { compileRules } from './rule-matcher';
import { openRuntimeDatabase } from './runtime-database';
import { acquireRuntimeLock } from './runtime-lock';
import { startSchedules } from './scheduler';
import { secretsManagerService } from './secrets-endpoint';
import { sqsService } from './sqs-endpoint';
import { runtimeStatus } from './status';
import { localhostCertificate } from './tls';

// The whole platform in one process (docs/architecture.md, "Local runtime"), built by iterating a
// topology: its routes, functions, queues, rules and schedules. Nothing here names one of them.

const DRAIN_LIMIT_MS = 8_000;

type Log = (message: string, fields?: Record<string, unknown>) => void;

export interface RuntimeOptions {
  dataDir: string;
  /** Wins over the embedded PostgreSQL, which is then not started. */
  databaseUrl?: string;
  port: number;
  host?: string;
  /** Default: the platform's (lib/topology.ts). */
  topology?: Topology;
  /**
   * A cloud assembly from `cdk synth` (LOCAL_BUNDLES): run the bundles it holds, each in a process of its
   * own with the environment its template gives it, instead of the sources.
   */
  bundles?: string;
  /** Powertools log level for the handlers. */
  logLevel?: string;
  pollerHooks?: PollerHooks;
  /** Fault injection for chaos runs (LOCAL_FAULTS); without it nothing is injected. */
  faults?: LocalFaults;
  /**
   * False: no queue consumers (pollers), so events stay in the local queues. The API, the bus and the
   * schedules run as usual: the API alone as it runs in AWS, where the workers are not on its CPU (the bench).
   */
  consumers?: boolean;
  /**
   * The local console at `GET /` (docs/architecture.md, "Local console"); default on. Off, `GET /` is the
   * API's as in AWS (the fuzz run, which judges every answer as the deployed API's).
   */
  console?: boolean;
  /** The WAF rate limits, counted per key per window of `windowSeconds` (lib/rate-limits.ts); none: no limit. */
  rateLimits?: RateLimits & { windowSeconds: number };
  log?: Log;
}

export interface RunningRuntime {
  baseUrl: string;
  databaseUrl: string;
  jwtSecret: string;
  /** Drains HTTP and queue work, then stops the server, the functions, the pools and the database. */
  stop(): Promise<void>;
}

function stderrLog(message: string, fields?: Record<string, unknown>): void {
  process.stderr.write(`[local] ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
}

function withLimit<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  const address = server.address();
  return `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
}

export async function startRuntime(options: RuntimeOptions): Promise<RunningRuntime> {
  const log = options.log ?? stderrLog;
  const topology = options.topology ?? platformTopology;
  const logLevel = options.logLevel ?? 'WARN';
  const rules = compileRules(topology.rules); // an unsupported pattern operator fails here, first
  const assembly = options.bundles ? readCloudAssembly(options.bundles, topology) : undefined;
  if (assembly && options.faults)
    throw new Error('LOCAL_FAULTS wraps the sources: it cannot run with LOCAL_BUNDLES');
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanUp = async () => {
    for (const fn of cleanups.reverse())
      await fn().catch((e: unknown) => log('Stop step failed', { error: String(e) }));
  };
  try {
    // First, before anything is touched: a live runtime on this data directory refuses us.
    cleanups.push((await acquireRuntimeLock(options.dataDir)).release);
    const jwtSecret = await loadOrCreateDevSecret(options.dataDir);
    // The bundles verify the database's certificate (DATABASE_SSL=verify-full), as they do RDS Proxy's.
    const certificate = assembly ? await localhostCertificate() : undefined;
    const database = await openRuntimeDatabase({ ...options, tls: certificate });
    cleanups.push(database.close);
    const { db } = database;

    const store = new QueueStore(db);
    const leaseholder = randomUUID();
    const abandoned = await store.releaseAbandoned(leaseholder);
    if (abandoned > 0) log('Redelivering messages a previous run was handling', { count: abandoned });

    let consumers: Consumers | undefined;
    let schedules: ReturnType<typeof startSchedules> | undefined;
    const bus = new LocalEventBus({
      db,
      store,
      busName: assembly?.busName ?? topology.bus.name,
      rules,
      onEnqueued: (queues) => {
        for (const queue of queues) consumers?.wake(queue);
      },
      refuseEntry: options.faults && ((entry) => options.faults?.refusePutEventsEntry(entry)),
    });
    const queueNames = Object.keys(topology.queues);
    const knownQueues = new Set(queueNames.flatMap((q) => [q, names.deadLetterQueue(q)]));
    const secrets = new Map<string, string>();
    const limits = options.rateLimits;
    const api = new ApiEntry({
      routes: topology.routes,
      authorizer: topology.authorizer,
      rateLimiter: limits && new RateLimiter(limits, limits.windowSeconds * 1000),
      log,
    });
    const status = () =>
      runtimeStatus({
        topology,
        code: assembly ? { from: 'bundles', stack: assembly.stackName } : { from: 'sources' },
        store,
        consumers,
        schedules,
        db,
        faults: options.faults,
      });
    // Loaded on its first request: the runtime's start does not wait for it (nor import what it reads).
    let localConsole: Promise<LocalConsole> | undefined;
    const consolePart = () =>
      (localConsole ??= import('./console/server').then((m) => {
        // The platform's tables as the read-only ops role (docs/architecture.md, "Database roles").
        const reads = openDatabase(database.url, { max: 2, role: names.opsDatabaseRole });
        cleanups.push(() => reads.end({ timeout: 2 }));
        return new m.LocalConsole({ db, reads, status, jwtSecret, wake: (q) => consumers?.wake(q) });
      }));
    const server = createLocalHttpServer({
      api: (req) => api.handle(req),
      console: options.console === false ? undefined : async (req) => (await consolePart()).handle(req),
      awsServices: [bus.service(), sqsService(store, knownQueues), secretsManagerService(secrets)],
      status,
      updateFaults: options.faults && ((body) => options.faults?.update(body)),
      log,
    });
    const endpoint = await listen(server, options.port, options.host ?? '127.0.0.1');
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
    );

    let running: RunningFunctions;
    if (assembly) {
      const caFile = join(options.dataDir, 'local-ca.pem');
      await writeFile(caFile, certificate!.cert);
      running = await startBundles({
        assembly,
        topology,
        database,
        jwtSecret,
        secrets,
        caFile,
        endpoint,
        logLevel,
        dataDir: options.dataDir,
        log,
      });
    } else {
      // Handlers read their environment on load, as in a cold start: set it before the first import.
      Object.assign(
        process.env,
        sourceEnvironment({
          topology,
          databaseUrl: database.url,
          jwtSecret,
          endpoint,
          logLevel,
          dataDir: options.dataDir,
        }),
      );
      const functions = await loadSourceFunctions(topology, options.faults?.handlerOf.bind(options.faults));
      running = { functions, stop: async () => {} };
    }
    cleanups.push(running.stop);
    const functionFor = (name: string) => {
      const fn = running.functions.get(name);
      if (!fn) throw new Error(`Function ${name} is not loaded`);
      return fn;
    };
    await applySchema(topology, functionFor, assembly?.stackName ?? 'local');

    api.open(functionFor);
    consumers = startConsumers({
      topology,
      functionFor,
      store,
      leaseholder,
      running: options.consumers !== false,
      hooks: options.faults?.pollerHooks({ store, wake: (q) => consumers?.wake(q) }) ?? options.pollerHooks,
      log,
    });
    schedules = startSchedules(topology, functionFor, log);

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        await withLimit(api.drain(), DRAIN_LIMIT_MS);
        // Workers still call our endpoints while they finish, so the server stops last.
        await withLimit(Promise.allSettled([schedules?.stop(), consumers?.stop()]), DRAIN_LIMIT_MS);
        await cleanUp();
      })();
      return stopping;
    };
    return { baseUrl: endpoint, databaseUrl: database.url, jwtSecret, stop };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
