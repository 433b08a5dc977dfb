import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type Database, openDatabase } from '../../lambdas/shared/adapters/postgres/database';
import { names } from '../../lib/names';
import { localDataDir } from '../../local/dev-secret';
import { isArgumentError } from '../cli';
import { analyticsReport, analyticsRun, formatAnalyticsReport, formatAnalyticsRun } from './analytics';
import { type Command, type OpsOptions, parseCommandLine, USAGE } from './args';
import { AwsOpsBackend } from './aws-backend';
import { type OpsBackend, OpsError, queueName, ruleName } from './backend';
import {
  formatDeadLetterQueues,
  formatOutboxLag,
  formatRedrive,
  formatRedriveStatus,
  formatReplay,
  formatRetention,
  formatStuckPayments,
} from './format';
import { LocalOpsBackend } from './local-backend';
import { openLocalDatabase } from './local-database';
import { outboxReport, retentionRun, stuckPaymentsReport } from './reports';
import { discoverStack } from './stack-outputs';

// `npm run ops`: picks the backend (local runtime or a deployed stack), runs one command, prints its report.

export interface AwsClients {
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
  cloudFormation: CloudFormationClient;
}

export interface OpsDependencies {
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
  awsClients?: (region?: string) => AwsClients;
}

const defaultAwsClients = (region?: string): AwsClients => ({
  sqs: new SQSClient({ region }),
  eventBridge: new EventBridgeClient({ region }),
  cloudFormation: new CloudFormationClient({ region }),
});

interface Session {
  backend?: OpsBackend;
  db?: Database;
  closers: (() => Promise<void>)[];
}

const usesQueues = (c: Command) => c.name.startsWith('dlq ') || c.name === 'payments stuck';
const usesSql = (c: Command) =>
  c.name === 'outbox lag' ||
  c.name === 'payments stuck' ||
  c.name === 'retention run' ||
  c.name.startsWith('analytics ');

/**
 * The PostgreSQL role a local command's SQL runs as (docs/architecture.md, "Database roles"): a function's
 * work as that function's role, everything else (the reports) read-only.
 */
function localRoleOf(command: Command): string {
  if (command.name === 'retention run') return names.databaseRole('retention');
  if (command.name === 'analytics run') return names.databaseRole('analytics');
  return names.opsDatabaseRole;
}

async function openSession(command: Command, options: OpsOptions, deps: OpsDependencies): Promise<Session> {
  const session: Session = { closers: [] };
  if (command.name === 'analytics run' && options.target === 'aws') {
    throw new OpsError(
      'analytics run writes the exports to S3 from the function: invoke it (docs/RUNBOOK.md, "Analytics"), e.g. ' +
        `aws lambda invoke --function-name payments-<stage>-analytics --payload '{"from":"2026-11-01","to":"2026-11-08"}' out.json`,
    );
  }
  if (options.target === 'local') {
    const opened = await openLocalDatabase({
      databaseUrl: options.databaseUrl,
      dataDir: localDataDir(deps.env),
    });
    deps.err(`Local database: ${opened.describe}`);
    session.db = opened.as(localRoleOf(command));
    session.backend = new LocalOpsBackend(opened.db, { close: opened.close });
    session.closers.push(() => session.backend!.close());
    return session;
  }
  if (usesSql(command)) {
    if (!options.databaseUrl) {
      throw new OpsError(
        'The SQL commands need --database-url (or DATABASE_URL) against AWS: open a port-forwarding session to the RDS Proxy first (docs/RUNBOOK.md, "Reaching the database").',
      );
    }
    // RDS forces TLS; a tunnel's local address does not match the certificate, so TLS without host verification.
    const db = openDatabase(options.databaseUrl, {
      max: 2,
      ssl: options.databaseUrl.includes('sslmode=disable') ? false : 'require',
    });
    session.db = db;
    session.closers.push(() => db.end({ timeout: 2 }));
  }
  if (usesQueues(command)) {
    const clients = (deps.awsClients ?? defaultAwsClients)(options.region);
    try {
      const stack = await discoverStack(clients.cloudFormation, options.stack);
      session.backend = new AwsOpsBackend({ sqs: clients.sqs, eventBridge: clients.eventBridge, stack });
      session.closers.push(() => session.backend!.close());
    } catch (error) {
      // `payments stuck` still answers from the database alone.
      if (command.name !== 'payments stuck') throw error;
      deps.err(`DLQs not checked: ${(error as Error).message}`);
    } finally {
      clients.cloudFormation.destroy();
    }
  }
  return session;
}

async function execute(command: Command, options: OpsOptions, s: Session, deps: OpsDependencies) {
  const backend = () => s.backend!;
  switch (command.name) {
    case 'dlq list': {
      const report = await backend().listDeadLetterQueues({ sample: options.sample });
      const note =
        backend().target === 'local'
          ? 'Rule-target DLQs exist only in AWS (the local bus enqueues inside PutEvents).'
          : undefined;
      return { report, text: () => formatDeadLetterQueues(report, note) };
    }
    case 'dlq redrive': {
      const report = await backend().redrive(queueName(command.queue), {
        rate: options.rate,
        limit: options.limit,
        onProgress: (moved) => deps.err(`  moved ${moved}`),
      });
      return { report, text: () => formatRedrive(report) };
    }
    case 'dlq redrive-status': {
      const report = await backend().redriveStatus(queueName(command.queue));
      return { report, text: () => formatRedriveStatus(report) };
    }
    case 'dlq redrive-cancel': {
      const report = await backend().cancelRedrive(command.taskHandle);
      return { report, text: () => `Cancelled; about ${report.moved ?? '?'} message(s) had moved.` };
    }
    case 'dlq replay-target': {
      const report = await backend().replayTarget(ruleName(command.rule), {
        rate: options.rate,
        limit: options.limit,
      });
      return { report, text: () => formatReplay(report) };
    }
    case 'outbox lag': {
      const report = await outboxReport(s.db!);
      return { report, text: () => formatOutboxLag(report) };
    }
    case 'payments stuck': {
      const report = await stuckPaymentsReport(s.db!, s.backend, {
        olderThanSeconds: options.olderThanSeconds,
        limit: options.limit ?? 1000,
        scan: options.scan,
      });
      return { report, text: () => formatStuckPayments(report) };
    }
    case 'retention run': {
      const report = await retentionRun(s.db!, { dryRun: options.dryRun, env: deps.env });
      return { report, text: () => formatRetention(report) };
    }
    case 'analytics run': {
      const report = await analyticsRun(s.db!, {
        dataDir: localDataDir(deps.env),
        from: options.from,
        to: options.to,
      });
      return { report, text: () => formatAnalyticsRun(report) };
    }
    case 'analytics report': {
      const report = await analyticsReport(s.db!, { days: options.days, chartFile: options.chart });
      return { report, text: () => formatAnalyticsReport(report) };
    }
    case 'help':
      return { report: { usage: USAGE }, text: () => USAGE };
  }
}

/** Wrong usage or setup, said in one line: a bad option, or AWS without a region. */
function asUsageError(error: unknown): unknown {
  if (isArgumentError(error)) return new OpsError(`ops: ${error.message} (see: npm run ops -- --help)`);
  if (/region is missing/i.test(String((error as Error)?.message))) {
    return new OpsError(
      'ops: --target aws needs a region: pass --region <region>, or set AWS_REGION (or a region in your AWS profile)',
    );
  }
  return error;
}

/** Runs one ops command; resolves to the process exit status (0 ok, 1 failure, 2 usage or setup error). */
export async function runOps(argv: readonly string[], deps: OpsDependencies): Promise<number> {
  let session: Session | undefined;
  try {
    const { command, options } = parseCommandLine(argv, deps.env);
    if (command.name === 'help') {
      deps.out(USAGE);
      return 0;
    }
    session = await openSession(command, options, deps);
    const result = await execute(command, options, session, deps);
    deps.out(options.json ? JSON.stringify(result.report, null, 2) : result.text());
    const replay = result.report as { refused?: number; unparseable?: number; errors?: string[] };
    // A replay that left messages behind is not a success a script should take for one.
    return command.name === 'dlq replay-target' && (replay.refused || replay.unparseable) ? 1 : 0;
  } catch (caught) {
    const error = asUsageError(caught);
    if (error instanceof OpsError) {
      deps.err(error.message);
      return 2;
    }
    deps.err(`ops failed: ${(error as Error).stack ?? error}`);
    return 1;
  } finally {
    for (const close of session?.closers ?? []) await close().catch(() => {});
  }
}
