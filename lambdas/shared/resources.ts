import { createEventBridgePublisher } from './adapters/eventbridge/publisher';
import { connectDatabase, type Database } from './adapters/postgres/database';
import { PostgresOutboxStore } from './adapters/postgres/outbox-store';
import { randomIds, systemClock } from './adapters/system';
import { onColdStart } from './cold-start';
import { type Config, loadConfig, platformConfigSchema } from './config';
import { logger } from './observability';
import type { Clock, EventPublisher, IdGenerator, OutboxDispatcher, OutboxStore } from './use-cases/ports';
import { OutboxEventDispatcher } from './use-cases/publish-outbox';

/** What the database-backed functions of one process share: one pool, one publisher, one clock. */
export interface SharedResources {
  config: Config;
  db: Database;
  publisher: EventPublisher;
  outboxStore: OutboxStore;
  /** Publishes just-committed events after commit; what it cannot publish stays for the outbox relay. */
  dispatcher: OutboxDispatcher;
  clock: Clock;
  ids: IdGenerator;
}

/** The resources over a given database and publisher (a cold start's, or a test's). */
export function buildSharedResources(parts: {
  config: Config;
  db: Database;
  publisher: EventPublisher;
  clock?: Clock;
  ids?: IdGenerator;
}): SharedResources {
  const outboxStore = new PostgresOutboxStore(parts.db);
  const dispatcher = new OutboxEventDispatcher(outboxStore, parts.publisher, (error) =>
    logger.warn('Publishing after commit failed; the outbox relay will retry', { error: error as Error }),
  );
  return { clock: systemClock, ids: randomIds, ...parts, outboxStore, dispatcher };
}

/** Built once per process (a Lambda cold start); in the local runtime every function shares it. */
export const sharedResources = onColdStart(async () => {
  const config = loadConfig(platformConfigSchema);
  return buildSharedResources({
    config,
    db: await connectDatabase(config),
    publisher: createEventBridgePublisher(config.EVENT_BUS_NAME),
  });
});
