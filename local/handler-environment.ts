import type { Topology } from '../lib/topology';
import { LOCAL_REGION, LOCAL_STAGE } from './aws-identity';

// What the handler modules read at import time. Set before the first dynamic import, since every
// handler builds its config (and clients) on load, as in a Lambda cold start.

export interface HandlerEnvironmentInput {
  topology: Topology;
  databaseUrl: string;
  jwtSecret: string;
  /** This process's own HTTP server: the EventBridge and SQS endpoints. */
  endpoint: string;
  logLevel: string;
}

export function handlerEnvironment(input: HandlerEnvironmentInput): Record<string, string> {
  return {
    APP_STAGE: LOCAL_STAGE,
    DATABASE_URL: input.databaseUrl,
    DATABASE_POOL_MAX: '10',
    JWT_SECRET: input.jwtSecret,
    EVENT_BUS_NAME: input.topology.bus.name,
    AWS_REGION: LOCAL_REGION,
    // Dummy credentials so the SDK signs requests to the local endpoints; not secrets.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_EVENTBRIDGE: input.endpoint,
    AWS_ENDPOINT_URL_SQS: input.endpoint,
    // Node 20 is supported locally; the SDK's notice about its 2027 floor would only be noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: input.logLevel,
    POWERTOOLS_DEV: 'false',
    POWERTOOLS_METRICS_NAMESPACE: 'PaymentsLocal',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
  };
}

export function applyHandlerEnvironment(input: HandlerEnvironmentInput): void {
  Object.assign(process.env, handlerEnvironment(input));
}
