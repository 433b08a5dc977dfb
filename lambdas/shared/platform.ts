import { createEventBridgePublisher } from './adapters/eventbridge/publisher';
import { connectDatabase, type Database } from './adapters/postgres/database';
import { PostgresOutboxDispatcher } from './adapters/postgres/outbox-dispatcher';
import { type Config, loadConfig } from './config';
import { logger } from './logger';
import type { EventPublisher, OutboxDispatcher } from './use-cases/ports';

/** What every database-backed function needs, built once per cold start. */
export interface Platform {
  config: Config;
  db: Database;
  publisher: EventPublisher;
  dispatcher: OutboxDispatcher;
}

let platform: Promise<Platform> | undefined;

async function build(): Promise<Platform> {
  const config = loadConfig();
  const db = await connectDatabase(config);
  const publisher = createEventBridgePublisher(config.EVENT_BUS_NAME);
  const dispatcher = new PostgresOutboxDispatcher(db, publisher, (error) =>
    logger.warn('Publishing after commit failed; the outbox relay will retry', { error: error as Error }),
  );
  return { config, db, publisher, dispatcher };
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
