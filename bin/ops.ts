import { runOps } from '../scripts/ops/cli';

// `npm run ops -- <command>`: DLQs, redrive, replay, outbox lag, stuck payments (docs/RUNBOOK.md).

const status = await runOps(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
});
process.exit(status);
