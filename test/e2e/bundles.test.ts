import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DOCS_ASSETS, DOCS_ASSETS_DIR } from '../../lambdas/api/docs';
import { names } from '../../lib/names';
import { topology } from '../../lib/topology';
import { openLocalDatabase } from '../../scripts/ops/local-database';
import { removeAssembly, synthesizeWithCli, withEditedTemplate } from '../support/cloud-assembly';
import { localRuntimeForFile, startLocalRuntime } from '../support/local-runtime-process';
import { PaymentsClient } from './client';
import { paymentsFlow } from './payments-flow';

// What `cdk deploy` ships, proven locally: every function's bundle from `cdk synth`, each in a process of
// its own with only the environment its template gives it (references mapped to local equivalents: the
// database secret and the JWT secret served by the runtime's Secrets Manager endpoint, the RDS Proxy
// endpoint to the local PostgreSQL over verified TLS, the bus by its name), runs the whole payments flow.

let assembly: string;
beforeAll(async () => {
  assembly = await synthesizeWithCli();
}, 180_000);
afterAll(() => removeAssembly(assembly));

describe('the bundles cdk synth makes, with their template environments', () => {
  const runtime = localRuntimeForFile(() => ({ env: { LOCAL_BUNDLES: assembly } }));

  it('run from the bundles, not the sources', async () => {
    expect((await runtime().status()).code).toEqual({ from: 'bundles', stack: 'Payments-dev' });
  });

  it('reach PostgreSQL over TLS as their template says (DATABASE_SSL=verify-full: the certificate is checked)', async () => {
    const opened = await openLocalDatabase({ dataDir: runtime().dataDir });
    try {
      // The API's pool connected at its first request (the health check above): over TLS, or not at all.
      await fetch(`${runtime().baseUrl}/health`);
      const rows = await opened.db<{ ssl: boolean }[]>`
        SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
        WHERE a.client_addr IS NOT NULL AND a.pid <> pg_backend_pid()`;
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.ssl)).toBe(true);
    } finally {
      await opened.close();
    }
  });

  it('serve GET /docs with Swagger UI’s files copied next to the API handler (lib/constructs/docs-assets.ts)', async () => {
    const copied = readdirSync(assembly).filter((dir) =>
      existsSync(join(assembly, dir, DOCS_ASSETS_DIR, 'swagger-ui-bundle.js')),
    );
    expect(copied).toHaveLength(1);
    for (const asset of Object.keys(DOCS_ASSETS)) {
      const res = await fetch(`${runtime().baseUrl}/docs/${asset}`);
      expect({ asset, status: res.status }).toEqual({ asset, status: 200 });
      expect((await res.text()).length).toBeGreaterThan(1000);
    }
  });

  paymentsFlow(() => ({
    isolatedClient: async () => new PaymentsClient(runtime().baseUrl, await runtime().token()),
  }));
});

describe('a template that does not give a function what its code needs', () => {
  it('refuses to start, naming the function and what is missing (as the authorizer once did in AWS)', async () => {
    const authorizer = names.inStage('dev', topology.authorizer);
    const broken = await withEditedTemplate(assembly, (template) => {
      for (const resource of Object.values(template.Resources)) {
        if (resource.Properties?.FunctionName !== authorizer) continue;
        const variables = (resource.Properties.Environment as { Variables: Record<string, unknown> })
          .Variables;
        delete variables.JWT_SECRET_ARN;
      }
    });
    try {
      const started = startLocalRuntime({ env: { LOCAL_BUNDLES: broken } });
      await expect(started).rejects.toThrow(
        /The authorizer bundle failed to initialise: Invalid configuration: JWT_JWKS_URL or JWT_SECRET_ARN is required/,
      );
    } finally {
      await removeAssembly(broken);
    }
  }, 90_000);
});
