import { onColdStart } from '../shared/cold-start';
import { sharedResources } from '../shared/resources';
import { apiDeps, createApiHandler } from './app';

/** The API function: REST proxy events for every `api` route of lib/topology.ts. */
export const handler = createApiHandler(onColdStart(async () => apiDeps(await sharedResources())));
