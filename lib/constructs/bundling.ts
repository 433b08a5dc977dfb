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
 * from the nodejs22.x runtime: bundled, they add ~300 KB per function (848 KB vs 538 KB for the API,
 * measured) and push every bundle past the 600 KB budget; external, all six stay at 490-580 KB.
 * See docs/infrastructure.md for the measurements.
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
