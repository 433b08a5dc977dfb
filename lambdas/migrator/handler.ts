import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { connectDatabase } from '../shared/adapters/postgres/database';
import { migrate } from '../shared/adapters/postgres/migrate';
import { databaseConfigSchema, loadConfig } from '../shared/config';
import { logger, observed } from '../shared/observability';

// The bundle ships the SQL files beside the handler (see the CDK construct's bundling hooks).
const MIGRATIONS_DIR =
  process.env.MIGRATIONS_DIR ?? join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Custom resource (CDK Provider framework): applies pending migrations on every deploy. */
export const handler = observed(async (event: CloudFormationCustomResourceEvent) => {
  const physicalResourceId = 'schema-migrations';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalResourceId };
  const db = await connectDatabase(loadConfig(databaseConfigSchema));
  try {
    const result = await migrate(db, MIGRATIONS_DIR);
    logger.info('Migrations done', { applied: result.applied, skipped: result.skipped.length });
    return { PhysicalResourceId: physicalResourceId, Data: { Applied: result.applied.join(',') } };
  } finally {
    await db.end({ timeout: 5 });
  }
});
