import { parseArgs } from 'node:util';
import { OpsError } from './backend';

// `npm run ops -- <group> <command> [argument] [options]`

export const USAGE = `Usage: npm run ops -- <command> [options]

  dlq list                      depth and sample messages of every DLQ (queue DLQs and rule-target DLQs)
  dlq redrive <queue>           move a queue's DLQ messages back to the queue, rate-limited (--rate, default 10/s)
  dlq redrive-status <queue>    AWS: the DLQ's message move tasks (local: the DLQ depth)
  dlq redrive-cancel <handle>   AWS: cancel a running move task
  dlq replay-target <rule>      re-put the events an EventBridge rule target's DLQ caught onto the bus
  outbox lag                    unpublished outbox rows: count, oldest age, attempts, last errors
  payments stuck                PENDING payments older than --older-than (default 10m), and whether their
                                PaymentCreated event sits in a DLQ
  retention run                 delete expired idempotency keys, worker idempotency records and old published
                                outbox rows in small batches, as the scheduled retention function does
                                (--dry-run: only count them)
  analytics run                 local: the analytics function's incremental run (payment facts, daily stats,
                                Parquet under the data dir); --from/--to YYYY-MM-DD (both included): backfill
  analytics report              daily stats of the last --days (default 14) days, and an SVG chart of volume
                                and success rate per day written to --chart (default analytics-report.svg)

Options:
  --target local|aws            default local
  --stack <name>                AWS stack (default Payments-dev); --region <region> (default: your AWS config)
  --database-url <url>          SQL commands (local: else DATABASE_URL, else the local runtime's data dir;
                                AWS: else DATABASE_URL, through a port-forwarding session, see docs/RUNBOOK.md)
  --rate <n>                    messages (events) per second for redrive and replay-target (default 10; AWS max 500)
  --limit <n>                   redrive (local) / replay-target: at most n messages; payments stuck: ids checked (1000)
  --sample <n>                  dlq list: sample messages per DLQ (default 3, max 10)
  --older-than <duration>       payments stuck: e.g. 90s, 10m, 2h, 1d (default 10m)
  --scan <n>                    payments stuck: DLQ messages read to look for the payments (default 100)
  --dry-run                     retention run: count what would be deleted, delete nothing
  --from, --to <YYYY-MM-DD>     analytics run: backfill these days
  --days <n>                    analytics report: days to show (default 14)
  --chart <file>                analytics report: where the SVG chart goes (default analytics-report.svg)
  --json                        machine-readable output
`;

export type Command =
  | { name: 'dlq list' }
  | { name: 'dlq redrive'; queue: string }
  | { name: 'dlq redrive-status'; queue: string }
  | { name: 'dlq redrive-cancel'; taskHandle: string }
  | { name: 'dlq replay-target'; rule: string }
  | { name: 'outbox lag' }
  | { name: 'payments stuck' }
  | { name: 'retention run' }
  | { name: 'analytics run' }
  | { name: 'analytics report' }
  | { name: 'help' };

export interface OpsOptions {
  target: 'local' | 'aws';
  stack: string;
  region?: string;
  databaseUrl?: string;
  rate: number;
  limit?: number;
  sample: number;
  olderThanSeconds: number;
  scan: number;
  dryRun: boolean;
  json: boolean;
  from?: string;
  to?: string;
  days: number;
  chart: string;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

export function parseDuration(value: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match) throw new OpsError(`Not a duration: ${value} (e.g. 90s, 10m, 2h, 1d)`);
  return Number(match[1]) * UNITS[match[2] || 's']!;
}

function positiveInt(value: string | undefined, name: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new OpsError(`--${name} must be a positive integer (got ${value})`);
  return n;
}

function day(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new OpsError(`--${name} must be a day, YYYY-MM-DD (got ${value})`);
  return value;
}

export function parseCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): { command: Command; options: OpsOptions } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      target: { type: 'string', default: 'local' },
      stack: { type: 'string', default: 'Payments-dev' },
      region: { type: 'string' },
      'database-url': { type: 'string' },
      rate: { type: 'string' },
      limit: { type: 'string' },
      sample: { type: 'string' },
      'older-than': { type: 'string', default: '10m' },
      scan: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      from: { type: 'string' },
      to: { type: 'string' },
      days: { type: 'string' },
      chart: { type: 'string', default: 'analytics-report.svg' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.target !== 'local' && values.target !== 'aws') {
    throw new OpsError(`--target must be local or aws (got ${String(values.target)})`);
  }
  const options: OpsOptions = {
    target: values.target,
    stack: values.stack as string,
    region: values.region as string | undefined,
    databaseUrl: (values['database-url'] as string | undefined) || env.DATABASE_URL || undefined,
    rate: positiveInt(values.rate as string | undefined, 'rate', 10)!,
    limit: positiveInt(values.limit as string | undefined, 'limit'),
    sample: Math.min(10, positiveInt(values.sample as string | undefined, 'sample', 3)!),
    olderThanSeconds: parseDuration(values['older-than'] as string),
    scan: positiveInt(values.scan as string | undefined, 'scan', 100)!,
    dryRun: values['dry-run'] === true,
    json: values.json === true,
    from: day(values.from as string | undefined, 'from'),
    to: day(values.to as string | undefined, 'to'),
    days: positiveInt(values.days as string | undefined, 'days', 14)!,
    chart: values.chart as string,
  };
  if (
    (options.from === undefined) !== (options.to === undefined) ||
    (options.from ?? '') > (options.to ?? '')
  ) {
    throw new OpsError('--from and --to go together, --from on or before --to (YYYY-MM-DD)');
  }
  const [group, name, argument, ...rest] = positionals;
  if (values.help || !group) return { command: { name: 'help' }, options };
  if (rest.length > 0) throw new OpsError(`Unexpected arguments: ${rest.join(' ')}`);
  const needs = (what: string) => {
    if (!argument) throw new OpsError(`${group} ${name} needs a ${what}`);
    return argument;
  };
  const full = `${group} ${name ?? ''}`.trim();
  switch (full) {
    case 'dlq list':
      return { command: { name: full }, options };
    case 'dlq redrive':
    case 'dlq redrive-status':
      return { command: { name: full, queue: needs('queue name') }, options };
    case 'dlq redrive-cancel':
      return { command: { name: full, taskHandle: needs('task handle') }, options };
    case 'dlq replay-target':
      return { command: { name: full, rule: needs('rule name') }, options };
    case 'outbox lag':
    case 'payments stuck':
    case 'retention run':
    case 'analytics run':
    case 'analytics report':
      return { command: { name: full }, options };
    default:
      throw new OpsError(`Unknown command: ${full}\n\n${USAGE}`);
  }
}
