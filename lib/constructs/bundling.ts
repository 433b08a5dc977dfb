import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The repository root: entries in lib/topology.ts are relative to it. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// Some dependencies still require() Node built-ins; an ESM bundle needs a real `require` for them.
const ESM_REQUIRE_SHIM =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Local esbuild (no Docker), minified ESM for node22 with source maps. The AWS SDK v3 clients come
 * from the nodejs22.x runtime: bundled, they add ~300 KB per function. With zod imported as a
 * namespace (tree-shaken) the workers, relay, migrator and authorizer would fit 600 KB with the SDK
 * inside, but the API does not until lambdas/api/request.ts imports zod the same way (848 KB; 501 KB
 * after). docs/BENCHMARKS.md has the measurements.
 */
export function bundlingOptions(extra: Partial<BundlingOptions> = {}): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: 'node22',
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: ESM_REQUIRE_SHIM,
    externalModules: ['@aws-sdk/*'],
    logLevel: LogLevel.WARNING,
    ...extra,
  };
}
