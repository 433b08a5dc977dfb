import { join, resolve } from 'node:path';
import { names } from '../lib/names';
import type { Topology } from '../lib/topology';
import { LOCAL_REGION, LOCAL_STAGE } from './aws-identity';
import type { BundledFunction } from './cloud-assembly';
import type { RuntimeDatabase } from './runtime-database';

// What a function's code reads from its environment, locally. From the sources, every handler module
// shares this process's environment, set before the first import (handlers read it on load, as in a
// cold start). From the bundles, each process gets its template's environment plus what the Lambda
// service itself provides, with local stand-ins for the service's endpoints.

const ROOT = resolve(import.meta.dirname, '..');

export interface LocalEndpoints {
  /** This process's own HTTP server: the EventBridge, SQS and Secrets Manager endpoints. */
  endpoint: string;
  /** Powertools log level for the handlers. */
  logLevel: string;
}

/** What Lambda provides every function, and what stands in locally for AWS itself. */
function serviceEnvironment(local: LocalEndpoints): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    // Dummy credentials so the SDK signs requests to the local endpoints; not secrets.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // Every SDK client of the function talks to the local runtime (LocalStack sets the same variable).
    AWS_ENDPOINT_URL: local.endpoint,
    // Node 20 is supported locally; the SDK's notice about its 2027 floor would only be noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: local.logLevel,
    // No CloudWatch and no X-Ray here.
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
  };
}

/** The local writers time out at 30 s as in AWS; 45 s covers their transactions and keeps a demo short. */
export const LOCAL_ANALYTICS_SAFE_LAG_SECONDS = 45;

/** Where the analytics function's Parquet exports go locally, standing in for the bucket. */
export const analyticsExportDir = (dataDir: string) => join(resolve(dataDir), 'analytics');

/** The environment of the handler modules imported from the sources into this process. */
export function sourceEnvironment(
  input: LocalEndpoints & { topology: Topology; databaseUrl: string; jwtSecret: string; dataDir: string },
): Record<string, string> {
  return {
    ...serviceEnvironment(input),
    APP_STAGE: LOCAL_STAGE,
    DATABASE_URL: input.databaseUrl,
    DATABASE_POOL_MAX: '10',
    JWT_SECRET: input.jwtSecret,
    EVENT_BUS_NAME: input.topology.bus.name,
    // The bundle ships the SQL beside the migrator; from the sources it is the repository's folder.
    MIGRATIONS_DIR: join(ROOT, 'migrations'),
    POWERTOOLS_DEV: 'false',
    POWERTOOLS_METRICS_NAMESPACE: 'PaymentsLocal',
    ANALYTICS_EXPORT_DIR: analyticsExportDir(input.dataDir),
    ANALYTICS_SAFE_LAG_SECONDS: String(LOCAL_ANALYTICS_SAFE_LAG_SECONDS),
  };
}

/**
 * Set on a bundled function's process over its template environment: Lambda's own variables, the local
 * endpoints, and `caFile` as an extra trusted root (the local database's certificate, standing in for
 * the Amazon roots of RDS Proxy's certificate).
 */
export function bundleRuntimeEnvironment(
  fn: BundledFunction,
  input: LocalEndpoints & {
    caFile: string;
    dataDir: string;
    database?: Pick<RuntimeDatabase, 'credentials'>;
  },
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: 'UTC',
    LAMBDA_TASK_ROOT: fn.dir,
    _HANDLER: fn.handler,
    AWS_LAMBDA_FUNCTION_NAME: names.inStage(LOCAL_STAGE, fn.name),
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.spec.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    NODE_EXTRA_CA_CERTS: input.caFile,
    // No S3 here: the exports directory stands in for the bucket (it wins over ANALYTICS_BUCKET_NAME).
    ...(fn.environment.ANALYTICS_BUCKET_NAME
      ? { ANALYTICS_EXPORT_DIR: analyticsExportDir(input.dataDir) }
      : {}),
    ...roleSignIn(fn, input.database?.credentials),
    ...serviceEnvironment(input),
  };
}

/**
 * A bundle that signs in to RDS Proxy with IAM as its role (DATABASE_USER) signs in here as the local
 * server's owner and takes that role (docs/architecture.md, "Database roles"): the embedded server cannot
 * check IAM tokens. Over TCP with TLS, verified against the local certificate as RDS Proxy's would be.
 */
function roleSignIn(
  fn: BundledFunction,
  credentials: RuntimeDatabase['credentials'],
): Record<string, string> {
  if (!fn.environment.DATABASE_USER || fn.environment.DATABASE_SECRET_ARN || !credentials) return {};
  const { username, password, host, port, dbname } = credentials;
  const url = new URL(`postgres://${host}:${port}/${dbname}`);
  url.username = username;
  url.password = password;
  return { DATABASE_URL: url.toString() };
}
