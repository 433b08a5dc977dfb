import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build } from 'esbuild';
import { bundlingOptions } from '../lib/constructs/bundling';
import { names } from '../lib/names';
import { type FunctionName, topology } from '../lib/topology';
import { ROOT } from './runtime';
import { type Spread, spread } from './stats';

// (6) Cold-start proxies. Each function is bundled exactly as `cdk synth` does it: lib/constructs/bundling.ts's
// options, turned into the same esbuild flags aws-cdk-lib's NodejsFunction passes on the command line
// (`--bundle --platform=node --outfile=index.mjs` plus target, format, minify, sourcemap, externals, banner,
// main fields, log level). Then `import()` of the bundle is timed in fresh Node processes, from a directory
// whose node_modules resolves the external `@aws-sdk/*` (the nodejs24.x runtime provides them in Lambda).

export interface BundleResult {
  function: FunctionName;
  /** Set for an experiment that is not what cdk synth builds (e.g. the SDK taken from the runtime). */
  variant?: string;
  bytes: number;
  sourceMapBytes: number;
  initMs: Spread;
  initSamples: number[];
  /** The external AWS SDK packages the bundle imports, and the time to import only those (same method). */
  sdkPackages: string[];
  sdkInitMs: Spread;
}

/** aws-cdk-lib's Bundling.buildEsbuildArgs, as esbuild API options. */
export function esbuildOptionsFor(entry: string, outfile: string, options: BundlingOptions): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    target: options.target,
    format: options.format as BuildOptions['format'],
    outfile,
    minify: options.minify,
    sourcemap: options.sourceMap ? true : undefined,
    sourcesContent: options.sourcesContent,
    external: options.externalModules,
    define: options.define,
    logLevel: options.logLevel as BuildOptions['logLevel'],
    keepNames: options.keepNames,
    banner: options.banner ? { js: options.banner } : undefined,
    footer: options.footer ? { js: options.footer } : undefined,
    mainFields: options.mainFields,
    loader: options.loader as BuildOptions['loader'],
    metafile: true,
  };
}

/** The environment a function's module scope reads on load (config is validated at import time). */
const INIT_ENV: Record<string, string> = {
  APP_STAGE: 'local',
  DATABASE_URL: 'postgres://bench:bench@127.0.0.1:1/unused',
  JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0000',
  EVENT_BUS_NAME: 'payments',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_METRICS_NAMESPACE: 'Payments',
  POWERTOOLS_LOG_LEVEL: 'INFO',
};

const MEASURE = `
const started = performance.now();
for (const specifier of process.argv.slice(2)) await import(specifier);
process.stdout.write(String(performance.now() - started));
`;

function measureOnce(dir: string, modules: string[], service: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dir, 'measure.mjs'), ...modules], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...INIT_ENV, POWERTOOLS_SERVICE_NAME: service },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = Number(out);
      if (code === 0 && Number.isFinite(ms)) resolve(ms);
      else reject(new Error(`Loading ${modules.join(' ')} failed (${code}): ${err.slice(0, 500)}`));
    });
  });
}

export interface BundleVariant {
  /** Shown next to the function name, e.g. `SDK from the runtime`. */
  label: string;
  function: FunctionName;
  bundling: Partial<BundlingOptions>;
}

export async function measureBundles(
  samples: number,
  onProgress: (message: string) => void,
  variants: readonly BundleVariant[] = [],
): Promise<{ results: BundleResult[]; metafiles: Record<string, unknown> }> {
  const dir = await mkdtemp(join(tmpdir(), 'payments-bundles-'));
  try {
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    await writeFile(join(dir, 'measure.mjs'), MEASURE);
    const results: BundleResult[] = [];
    const metafiles: Record<string, unknown> = {};
    const builds = [
      ...(Object.keys(topology.functions) as FunctionName[]).map((name) => ({
        name,
        label: '',
        bundling: {},
      })),
      ...variants.map((v) => ({ name: v.function, label: v.label, bundling: v.bundling })),
    ];
    for (const [i, { name, label, bundling }] of builds.entries()) {
      const outDir = join(dir, String(i));
      await mkdir(outDir);
      const outfile = join(outDir, 'index.mjs');
      const built = await build(
        esbuildOptionsFor(names.handlerEntry(name), outfile, bundlingOptions(bundling)),
      );
      metafiles[label ? `${name} (${label})` : name] = built.metafile;
      const sdkPackages = [
        ...new Set(
          Object.values(built.metafile!.outputs)
            .flatMap((o) => o.imports)
            .filter((i) => i.external && i.path.startsWith('@aws-sdk/'))
            .map((i) => i.path),
        ),
      ].sort();
      const initSamples: number[] = [];
      const sdkSamples: number[] = [];
      await measureOnce(dir, [outfile], names.service(name)); // warms the OS file cache, not counted
      for (let i = 0; i < samples; i++) {
        initSamples.push(await measureOnce(dir, [outfile], names.service(name)));
        if (sdkPackages.length > 0) sdkSamples.push(await measureOnce(dir, sdkPackages, names.service(name)));
      }
      const result: BundleResult = {
        function: name,
        ...(label ? { variant: label } : {}),
        bytes: (await stat(outfile)).size,
        sourceMapBytes: (await stat(`${outfile}.map`)).size,
        initMs: spread(initSamples),
        initSamples,
        sdkPackages,
        sdkInitMs: sdkPackages.length > 0 ? spread(sdkSamples) : { median: 0, min: 0, max: 0 },
      };
      onProgress(
        `bundle ${name}${label ? ` (${label})` : ''}: ${(result.bytes / 1024).toFixed(0)} KB, init median ${result.initMs.median.toFixed(1)} ms (SDK alone ${result.sdkInitMs.median.toFixed(1)} ms)`,
      );
      results.push(result);
    }
    return { results, metafiles };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
