import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The repository root: entries in lib/topology.ts are relative to it. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// Some dependencies still require() Node built-ins; an ESM bundle needs a real `require` for them.
const ESM_REQUIRE_SHIM =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Local esbuild (no Docker), minified ESM for node24 (the Lambda runtime) with source maps beside it. The AWS SDK v3 clients are
 * bundled in: pinned to our lockfile's versions, tree-shaken, and faster to initialise than importing
 * the runtime's copy (whose import alone took 83-160 ms); with zod imported as a namespace every bundle
 * still fits 600 KB. docs/BENCHMARKS.md has the measurements.
 */
export function bundlingOptions(extra: Partial<BundlingOptions> = {}): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: 'node24',
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: ESM_REQUIRE_SHIM,
    externalModules: [],
    logLevel: LogLevel.WARNING,
    ...extra,
  };
}
