import { randomUUID } from 'node:crypto';
import { PostgresPaymentCreationStore } from '../shared/adapters/postgres/payment-creation-store';
import { PostgresPaymentQueries } from '../shared/adapters/postgres/payment-queries';
import { onColdStart } from '../shared/cold-start';
import { getPlatform } from '../shared/platform';
import { systemClock } from '../shared/use-cases/ports';
import { createApiHandler } from './app';
import type { ApiDeps } from './routes';

async function buildDeps(): Promise<ApiDeps> {
  const { db, dispatcher } = await getPlatform();
  return {
    queries: new PostgresPaymentQueries(db),
    creation: {
      store: new PostgresPaymentCreationStore(db),
      dispatcher,
      clock: systemClock,
      ids: { uuid: randomUUID },
    },
  };
}

/** The API function: REST proxy events for every `api` route of lib/topology.ts. */
export const handler = createApiHandler(onColdStart(buildDeps));
