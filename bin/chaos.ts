import { formatChaosReport } from '../local/chaos/report';
import { type ChaosOptions, DEFAULT_CHAOS_OPTIONS, runChaos } from '../local/chaos/run';
import { numberOption, parseCli } from '../scripts/cli';

// `npm run chaos -- [--payments N] [--concurrency N] [--events N] [--seed N] [--json] [--<fault>=rate ...] [--no-kill]`
// Entry point only: local/chaos/run.ts does the work. Exit status 1 when an invariant breaks.

const d = DEFAULT_CHAOS_OPTIONS;
const rateFlags = {
  'retry-sequential': ['client', 'retrySequential'],
  'retry-concurrent': ['client', 'retryConcurrent'],
  'changed-body': ['client', 'changedBody'],
  declines: ['client', 'declines'],
  'duplicate-delivery': ['runtime', 'duplicateDelivery'],
  'concurrent-delivery': ['runtime', 'concurrentDelivery'],
  'crash-before-charge': ['runtime', 'crashBeforeCharge'],
  'crash-after-charge': ['runtime', 'crashAfterCharge'],
  'crash-after-commit': ['runtime', 'crashAfterCommit'],
  'put-events-failure': ['runtime', 'putEventsFailure'],
  'notification-request-refused': ['runtime', 'notificationRequestRefused'],
  'crash-mid-assessment': ['runtime', 'crashMidAssessment'],
  'crash-after-assessment': ['runtime', 'crashAfterAssessment'],
  'gateway-transient': ['gateway', 'transientFailureRate'],
  'gateway-timeout': ['gateway', 'timeoutRate'],
} as const;

const COMMAND = 'npm run chaos --';
const { values } = parseCli({
  command: COMMAND,
  usage: `Usage: ${COMMAND} [--payments N] [--concurrency N] [--seed N] [--json] [--no-kill]
                       [--drain-timeout SECONDS] [--<fault> RATE ...]

Payments under injected faults against a local runtime it starts, then every invariant (README, "Reliability").
  --payments N              default ${d.payments}
  --concurrency N           clients at once, 1 to 500 (default ${d.concurrency})
  --seed N                  replay a run (default: random)
  --no-kill                 no kill -9 and restart in the middle
  --drain-timeout SECONDS   how long to wait for every payment to settle (default ${d.drainTimeoutMs / 1000})
  --json                    the report as JSON
  --<fault> RATE            a rate from 0 to 1 for: ${Object.keys(rateFlags).join(', ')}
  -h, --help                this text
Exit status: 0 every invariant held, 1 one broke, 2 wrong usage.`,
  options: {
    payments: { type: 'string', default: String(d.payments) },
    concurrency: { type: 'string', default: String(d.concurrency) },
    events: { type: 'string', default: String(d.events) },
    seed: { type: 'string' },
    json: { type: 'boolean', default: false },
    'no-kill': { type: 'boolean', default: false },
    'drain-timeout': { type: 'string', default: String(d.drainTimeoutMs / 1000) },
    ...Object.fromEntries(Object.keys(rateFlags).map((k) => [k, { type: 'string' as const }])),
  },
});

const number = (name: string, raw: string | undefined, min: number, max: number) =>
  numberOption(COMMAND, name, raw ?? '', min, max);

const options: ChaosOptions = {
  ...d,
  client: { ...d.client },
  runtime: { ...d.runtime },
  gateway: { ...d.gateway },
  payments: Math.floor(number('payments', values.payments, 1, 1_000_000)),
  concurrency: Math.floor(number('concurrency', values.concurrency, 1, 500)),
  events: Math.floor(number('events', values.events, 0, 1_000_000)),
  seed:
    values.seed === undefined
      ? Math.floor(Math.random() * 2 ** 31)
      : Math.floor(number('seed', values.seed, 0, 2 ** 32)),
  killAfter: values['no-kill'] ? undefined : d.killAfter,
  drainTimeoutMs: number('drain-timeout', values['drain-timeout'], 1, 86_400) * 1000,
  progress: (line) => process.stderr.write(`${line}\n`),
};
for (const [flag, [group, key]] of Object.entries(rateFlags)) {
  const raw = (values as Record<string, unknown>)[flag] as string | undefined;
  if (raw !== undefined) (options[group] as Record<string, number>)[key] = number(flag, raw, 0, 1);
}

const report = await runChaos(options);
process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatChaosReport(report)}\n`);
process.exit(report.ok ? 0 : 1);
