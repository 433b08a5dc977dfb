import { createEventBridgePublisher } from './adapters/eventbridge/publisher';
import { connectDatabase, type Database } from './adapters/postgres/database';
import { PostgresOutboxStore } from './adapters/postgres/outbox-store';
import { onColdStart } from './cold-start';
import { type Config, loadConfig } from './config';
import { logger } from './logger';
import type { EventPublisher, OutboxDispatcher, OutboxStore } from './use-cases/ports';
import { OutboxEventDispatcher } from './use-cases/publish-outbox';

/** What every database-backed function needs, built once per cold start. */
export interface Platform {
  config: Config;
  db: Database;
  publisher: EventPublisher;
  outbox: OutboxStore;
  dispatcher: OutboxDispatcher;
}

async function build(): Promise<Platform> {
  const config = loadConfig();
  const db = await connectDatabase(config);
  const publisher = createEventBridgePublisher(config.EVENT_BUS_NAME);
  const outbox = new PostgresOutboxStore(db);
  const dispatcher = new OutboxEventDispatcher(outbox, publisher, (error) =>
    logger.warn('Publishing after commit failed; the outbox relay will retry', { error: error as Error }),
  );
  return { config, db, publisher, outbox, dispatcher };
}

/** Shared by every function in the process (one pool, one publisher; matters in the local runtime). */
export const getPlatform = onColdStart(build);
