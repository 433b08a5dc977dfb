import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { names } from '../lib/names';
import { topology as platformTopology, type Topology } from '../lib/topology';
import { ApiEntry } from './api-entry';
import { type Consumers, startConsumers } from './consumers';
import { loadOrCreateDevSecret } from './dev-secret';
import { LocalEventBus } from './event-bus';
import type { LocalFaults } from './faults';
import { loadFunctions } from './functions';
import { applyHandlerEnvironment } from './handler-environment';
import { createLocalHttpServer } from './http-server';
import type { PollerHooks } from './poller';
import { QueueStore } from './queue-store';
import { compileRules } from './rule-matcher';
import { openRuntimeDatabase } from './runtime-database';
import { startSchedules } from './scheduler';
import { sqsService } from './sqs-endpoint';
import { runtimeStatus } from './status';

// The whole platform in one process (docs/architecture.md, "Local runtime"), built by iterating a
// topology: its routes, functions, queues, rules and schedules. Nothing here names one of them.

const DRAIN_LIMIT_MS = 8_000;

export interface RuntimeOptions {
  dataDir: string;
  /** Wins over the embedded PostgreSQL, which is then not started. */
  databaseUrl?: string;
  port: number;
  host?: string;
  /** Default: the platform's (lib/topology.ts). */
  topology?: Topology;
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
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface RunningRuntime {
  baseUrl: string;
  databaseUrl: string;
  jwtSecret: string;
  /** Drains HTTP and queue work, then stops the server, the pools and the embedded PostgreSQL. */
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
  const rules = compileRules(topology.rules); // an unsupported pattern operator fails here, first
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanUp = async () => {
    for (const fn of cleanups.reverse())
      await fn().catch((e: unknown) => log('Stop step failed', { error: String(e) }));
  };
  try {
    const jwtSecret = await loadOrCreateDevSecret(options.dataDir);
    const database = await openRuntimeDatabase(options);
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
      busName: topology.bus.name,
      rules,
      onEnqueued: (queues) => {
        for (const queue of queues) consumers?.wake(queue);
      },
      refuseEntry: options.faults && (() => options.faults?.refusePutEventsEntry()),
    });
    const queueNames = Object.keys(topology.queues);
    const knownQueues = new Set(queueNames.flatMap((q) => [q, names.deadLetterQueue(q)]));
    const api = new ApiEntry({ routes: topology.routes, authorizer: topology.authorizer, log });
    const server = createLocalHttpServer({
      api: (req) => api.handle(req),
      awsServices: [bus.service(), sqsService(store, knownQueues)],
      status: () => runtimeStatus({ topology, store, consumers, schedules, db, faults: options.faults }),
      log,
    });
    const baseUrl = await listen(server, options.port, options.host ?? '127.0.0.1');
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
    );

    // Handlers read their environment on load, as in a cold start: set it before the first import.
    applyHandlerEnvironment({
      topology,
      databaseUrl: database.url,
      jwtSecret,
      endpoint: baseUrl,
      logLevel: options.logLevel ?? 'WARN',
    });
    const functions = await loadFunctions(topology, options.faults?.handlerOf.bind(options.faults));
    const functionFor = (name: string) => {
      const fn = functions.get(name);
      if (!fn) throw new Error(`Function ${name} is not loaded`);
      return fn;
    };
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
    return { baseUrl, databaseUrl: database.url, jwtSecret, stop };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
