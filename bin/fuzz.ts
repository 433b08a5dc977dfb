import { parseArgs } from 'node:util';
import { runFuzz } from '../local/fuzz/run';

// `npm run fuzz -- [--runs N] [--seed N] [--json]`: hostile HTTP input against every route of the
// local runtime (local/fuzz/run.ts). Entry point only. Exit status 1 when a case fails.

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(runs) || runs < 3 || !Number.isInteger(seed)) {
  process.stderr.write('--runs must be an integer >= 3 and --seed an integer\n');
  process.exit(2);
}

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
