import { createEventBridgePublisher } from './adapters/eventbridge/publisher';
import { connectDatabase, type Database } from './adapters/postgres/database';
import { PostgresOutboxStore } from './adapters/postgres/outbox-store';
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

let platform: Promise<Platform> | undefined;

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

/** Memoised per process; a failed cold start (say, the secret read) is retried on the next invocation. */
export function getPlatform(): Promise<Platform> {
  if (!platform) {
    platform = build();
    platform.catch(() => {
      platform = undefined;
    });
  }
  return platform;
}
