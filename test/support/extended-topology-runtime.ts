import { type Topology, topology } from '../../lib/topology';
import { localDataDir } from '../../local/dev-secret';
import { startRuntime } from '../../local/runtime';
import { readyLine } from '../../local/runtime-process';

// `npm start` on a copy of lib/topology.ts with one more queue, rule and schedule, and not one line
// changed under local/: the runtime must build them by iterating the topology (test/e2e/runtime-topology).

/** RiskAssessed also goes to a second queue of the payment worker; the relay also runs every second. */
export const extendedTopology: Topology = {
  ...topology,
  queues: { ...topology.queues, paymentsCopy: { ...topology.queues.payments } },
  rules: {
    ...topology.rules,
    riskAssessedToCopy: { ...topology.rules.riskAssessedToPayments, queue: 'paymentsCopy' },
  },
  schedules: {
    ...topology.schedules,
    relaySweep: { function: 'outboxRelay', everySeconds: 60, localEverySeconds: 1 },
  },
};

const runtime = await startRuntime({
  dataDir: localDataDir(),
  port: Number(process.env.PORT),
  topology: extendedTopology,
  logLevel: process.env.LOG_LEVEL,
});
process.stdout.write(`${readyLine(runtime.baseUrl, 0)}\n`);
process.on('SIGINT', () => {
  runtime.stop().then(() => process.exit(0));
});
