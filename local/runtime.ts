import { randomUUID } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Database, openDatabase } from '../lambdas/shared/adapters/postgres/database';
import { migrate } from '../lambdas/shared/adapters/postgres/migrate';
import { countPaymentsByStatus } from '../lambdas/shared/adapters/postgres/payments';
import { type FunctionName, type QueueName, topology } from '../lib/topology';
import { type ApiGatewayOptions, errorResponse, handleApiRequest, type LoadedFunction } from './api-gateway';
import type { IncomingRequest } from './api-gateway-event';
import { AuthorizerCache } from './authorizer-cache';
import { loadOrCreateDevSecret } from './dev-secret';
import { startEmbeddedPostgres } from './embedded-postgres';
import { LocalEventBus } from './event-bus';
import type { LocalFaults } from './faults';
import { applyHandlerEnvironment } from './handler-environment';
import { createLocalHttpServer } from './http-server';
import { invokeHandler, type LambdaHandler } from './lambda-context';
import { Poller, type PollerHooks } from './poller';
import { QueueStore } from './queue-store';
import { compileRules } from './rule-matcher';
import { Schedule } from './scheduler';
import { sqsService } from './sqs-endpoint';

// The whole platform in one process (DESIGN.md section 7), built from lib/topology.ts.

const ROOT = resolve(import.meta.dirname, '..');
const LOCAL_MIGRATIONS = join(ROOT, 'local', 'migrations');
const PRODUCT_MIGRATIONS = join(ROOT, 'migrations');
/** One runtime per database: two would take each other's in-flight messages for abandoned ones. */
const RUNTIME_LOCK_ID = 7_421_902;
const DRAIN_LIMIT_MS = 8_000;

export interface RuntimeOptions {
  dataDir: string;
  /** Wins over the embedded PostgreSQL, which is then not started. */
  databaseUrl?: string;
  port: number;
  host?: string;
  /** Powertools log level for the handlers. */
  logLevel?: string;
  pollerHooks?: PollerHooks;
  /** Fault injection for chaos runs (LOCAL_FAULTS); without it nothing is injected. */
  faults?: LocalFaults;
  /**
   * False: no queue consumers (pollers), so events stay in the local queues. The API, the bus and the
   * relay run as usual: the API alone as it runs in AWS, where the workers are not on its CPU (the bench).
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

export const deadLetterQueueOf = (queue: string) => `${queue}-dlq`;

function stderrLog(message: string, fields?: Record<string, unknown>): void {
  process.stderr.write(`[local] ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
}

async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = openDatabase(serverUrl, { max: 1 });
  try {
    const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (!exists) await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function loadFunctions(names: readonly FunctionName[]): Promise<Map<string, LoadedFunction>> {
  const loaded = await Promise.all(
    names.map(async (name) => {
      const spec = topology.functions[name];
      const module = (await import(pathToFileURL(join(ROOT, spec.entry)).href)) as { handler?: unknown };
      if (typeof module.handler !== 'function') throw new Error(`${spec.entry} does not export a handler`);
      return [name, { name, spec, handler: module.handler as LambdaHandler }] as const;
    }),
  );
  return new Map(loaded);
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

export async function startRuntime(options: RuntimeOptions): Promise<RunningRuntime> {
  const log = options.log ?? stderrLog;
  const rules = compileRules(topology.rules); // an unsupported pattern operator fails here, first
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanUp = async () => {
    for (const fn of cleanups.reverse())
      await fn().catch((e: unknown) => log('Stop step failed', { error: String(e) }));
  };
  try {
    const jwtSecret = await loadOrCreateDevSecret(options.dataDir);
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      // As root, PostgreSQL runs as a `postgres` OS user, which must be able to reach its directory.
      if (process.getuid?.() === 0) await chmod(options.dataDir, 0o755);
      const pg = await startEmbeddedPostgres({ dataDir: join(options.dataDir, 'postgres') });
      cleanups.push(() => pg.stop());
      databaseUrl = await ensureDatabase(pg.url, 'payments');
    }
    const db: Database = openDatabase(databaseUrl, { max: 20 });
    cleanups.push(() => db.end({ timeout: 2 }));
    await migrate(db, PRODUCT_MIGRATIONS);
    await migrate(db, LOCAL_MIGRATIONS, { trackingTable: 'local_schema_migrations' });

    const lock = await db.reserve();
    cleanups.push(async () => lock.release());
    const [{ locked } = { locked: false }] = await lock<{ locked: boolean }[]>`
      SELECT pg_try_advisory_lock(${RUNTIME_LOCK_ID}) AS locked`;
    if (!locked) throw new Error('Another local runtime is already using this database');

    const leaseholder = randomUUID();
    const store = new QueueStore(db);
    const abandoned = await store.releaseAbandoned(leaseholder);
    if (abandoned > 0) log('Redelivering messages a previous run was handling', { count: abandoned });

    const queueNames = Object.keys(topology.queues) as QueueName[];
    const pollers = new Map<string, Poller>();
    const bus = new LocalEventBus({
      db,
      store,
      busName: topology.bus.name,
      rules,
      onEnqueued: (queues) => {
        for (const q of queues) pollers.get(q)?.wake();
      },
      refuseEntry: options.faults && (() => options.faults?.refusePutEventsEntry()),
    });
    const knownQueues = new Set(queueNames.flatMap((q) => [q, deadLetterQueueOf(q)]));

    let functions = new Map<string, LoadedFunction>();
    let draining = false;
    const inFlightApi = new Set<Promise<unknown>>();
    const gateway: ApiGatewayOptions = {
      routes: topology.routes,
      authorizer: topology.authorizer,
      authorizerCache: new AuthorizerCache(),
      functionFor: (name) => {
        const fn = functions.get(name);
        if (!fn) throw new Error(`Function ${name} is not loaded`);
        return fn;
      },
      log,
    };
    let functionsLoaded: () => void = () => {};
    const loading = new Promise<void>((resolve) => {
      functionsLoaded = resolve;
    });
    const api = async (req: IncomingRequest) => {
      // During start-up a request waits for the handlers, as in a Lambda cold start: a client that
      // retries after a crash must not be told 503 by the runtime that is coming back.
      if (functions.size === 0 && !draining) await loading;
      if (draining) return errorResponse(503, 'service_unavailable', 'Shutting down', req.requestId);
      const work = handleApiRequest(req, gateway);
      inFlightApi.add(work);
      return work.finally(() => inFlightApi.delete(work));
    };
    const status = async () => {
      const depths = await store.depths();
      const empty = { visible: 0, inFlight: 0, delayed: 0 };
      return {
        queues: Object.fromEntries(
          queueNames.map((q) => [
            q,
            {
              ...(depths[q] ?? empty),
              consumer: options.consumers === false ? 'off' : 'on',
              inFlightBatches: pollers.get(q)?.inFlightBatches ?? 0,
            },
          ]),
        ),
        deadLetterQueues: Object.fromEntries(
          queueNames.map((q) => [deadLetterQueueOf(q), depths[deadLetterQueueOf(q)] ?? empty]),
        ),
        payments: await countPaymentsByStatus(db),
        ...(options.faults ? { faults: options.faults.counts() } : {}),
      };
    };

    const server = createLocalHttpServer({
      api,
      awsServices: [bus.service(), sqsService(store, knownQueues)],
      status,
      log,
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(options.port, options.host ?? '127.0.0.1', () => ok());
    });
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
    );
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;

    applyHandlerEnvironment({
      topology,
      databaseUrl,
      jwtSecret,
      endpoint: baseUrl,
      logLevel: options.logLevel ?? 'WARN',
    });
    const consumers = queueNames.map((q) => topology.queues[q].consumer);
    functions = await loadFunctions([
      ...new Set<FunctionName>([
        'api',
        topology.authorizer,
        ...consumers,
        topology.schedules.outboxRelay.function,
      ]),
    ]);
    for (const fn of options.faults ? functions.values() : []) {
      fn.handler = await options.faults!.handlerFor(fn.name, fn.handler);
    }
    functionsLoaded();
    const pollerHooks =
      options.faults?.pollerHooks({ store, wake: (q) => pollers.get(q)?.wake() }) ?? options.pollerHooks;

    for (const queue of queueNames) {
      const spec = topology.queues[queue];
      const fn = functions.get(spec.consumer)!;
      pollers.set(
        queue,
        new Poller({
          queue,
          spec,
          deadLetterQueue: deadLetterQueueOf(queue),
          functionName: fn.name,
          functionSpec: fn.spec,
          handler: fn.handler,
          store,
          leaseholder,
          hooks: pollerHooks,
          log,
        }),
      );
    }
    const relay = functions.get(topology.schedules.outboxRelay.function)!;
    const schedule = new Schedule({
      name: 'outboxRelay',
      everySeconds: topology.schedules.outboxRelay.localEverySeconds,
      invoke: (event) => invokeHandler(relay.name, relay.spec, relay.handler, event),
      log,
    });
    if (options.consumers !== false) for (const poller of pollers.values()) poller.start();
    schedule.start();

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        draining = true;
        await withLimit(Promise.allSettled([...inFlightApi]), DRAIN_LIMIT_MS);
        // Workers still call our endpoints while they finish, so the server stops last.
        await withLimit(
          Promise.allSettled([schedule.stop(), ...[...pollers.values()].map((p) => p.stop())]),
          DRAIN_LIMIT_MS,
        );
        await cleanUp();
      })();
      return stopping;
    };
    return { baseUrl, databaseUrl, jwtSecret, stop };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
