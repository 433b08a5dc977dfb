import { runFuzz } from '../local/fuzz/run';
import { numberOption, parseCli } from '../scripts/cli';

// `npm run fuzz -- [--runs N] [--seed N] [--json]`: hostile HTTP input against every route of the
// local runtime (local/fuzz/run.ts). Entry point only. Exit status 1 when a case fails.

const COMMAND = 'npm run fuzz --';
const { values } = parseCli({
  command: COMMAND,
  usage: `Usage: ${COMMAND} [--runs N] [--seed N] [--json]

Hostile HTTP input against every route of a local runtime it starts (README, "Reliability").
  --runs N      cases, at least 3 (default 10000)
  --seed N      replay a run (default: random; every run prints its seed)
  --json        the summary as JSON
  -h, --help    this text
Exit status: 0 no failure, 1 a case failed, 2 wrong usage.`,
  options: {
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const runs = Math.floor(numberOption(COMMAND, 'runs', values.runs, 3, 10_000_000));
const seed =
  values.seed === undefined
    ? Math.floor(Math.random() * 2 ** 31)
    : Math.floor(numberOption(COMMAND, 'seed', values.seed, 0, 2 ** 32));

const summary = await runFuzz({ runs, seed, progress: (line) => process.stderr.write(`${line}\n`) });
if (values.json) {
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} else {
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `  ${k.padEnd(32)} ${n}`)
      .join('\n');
  process.stdout.write(
    [
      `Fuzz run: ${summary.cases} cases, seed ${summary.seed}, ${summary.seconds} s`,
      'Statuses seen:',
      list(summary.statuses),
      'Cases per route:',
      list(summary.targets),
      summary.ok
        ? 'No failure: no 5xx, every error in shape, no row from a rejected request, no leak.'
        : `FAILED:\n${summary.failure}`,
      '',
    ].join('\n'),
  );
}
process.exit(summary.ok ? 0 : 1);
