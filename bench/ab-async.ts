import { resolve } from 'node:path';
import { type BurstRound, burstRound } from './async-path';
import { machine } from './machine';
import { ROOT, startBenchRuntime, waitUntilQuiet } from './runtime';
import { progress, round, spread } from './stats';

// `BENCH_AB=<other checkout> BENCH_ONLY=burst npm run bench`: measurement (5) (a burst, create -> terminal
// with both notifications) of this checkout's runtime against another's (e.g. `git worktree add --detach <dir> main`,
// its node_modules linked), in ONE run: the two alternate round by round (A B, B A, ...) on the same box
// in the same minutes, a fresh runtime each round after an unmeasured warm-up burst, so drift and other
// load hit both alike. Prints each round and the medians; numbers are only ever from this run.

const env = process.env;
const PAIRS = Number(env.BENCH_AB_PAIRS ?? 3);
const BURST = Number(env.BENCH_BURST ?? 2000);
const CONNECTIONS = 16;
type Side = 'A' | 'B';
let sides: Record<Side, string>;

async function measure(side: Side): Promise<BurstRound> {
  const runtime = await startBenchRuntime({ cwd: sides[side] });
  try {
    await burstRound(runtime.db, runtime.baseUrl, await runtime.tokens(CONNECTIONS), 300, CONNECTIONS);
    await waitUntilQuiet(runtime.db);
    return await burstRound(
      runtime.db,
      runtime.baseUrl,
      await runtime.tokens(CONNECTIONS),
      BURST,
      CONNECTIONS,
    );
  } finally {
    await runtime.stop();
  }
}

/** Runs the pairs against `other` and prints the table; numbers only ever from this run. */
export async function runBurstAb(other: string): Promise<void> {
  sides = { A: resolve(other), B: ROOT };
  const rounds: Record<Side, BurstRound[]> = { A: [], B: [] };
  for (let pair = 1; pair <= PAIRS; pair++) {
    const order: Side[] = pair % 2 ? ['A', 'B'] : ['B', 'A'];
    for (const side of order) {
      progress(
        `pair ${pair}/${PAIRS}, ${side} (${sides[side]}): ${BURST} payments over ${CONNECTIONS} connections`,
      );
      const r = await measure(side);
      rounds[side].push(r);
      progress(
        `  ${side}: p50 ${round(r.createToTerminalP50Ms)} ms, p99 ${round(r.createToTerminalP99Ms)} ms, ` +
          `${round(r.paymentsPerSecond)} payments/s end to end, failed requests ${r.failedRequests}`,
      );
    }
  }

  const summary = (side: Side) => {
    const rs = rounds[side];
    const s = (pick: (r: BurstRound) => number) => {
      const v = spread(rs.map(pick));
      return `${round(v.median)} (${round(v.min)}-${round(v.max)})`;
    };
    return [
      side,
      sides[side],
      s((r) => r.createToTerminalP50Ms),
      s((r) => r.createToTerminalP99Ms),
      s((r) => r.paymentsPerSecond),
      String(rs.reduce((n, r) => n + r.failedRequests, 0)),
    ];
  };
  const m = await machine(ROOT);
  process.stdout.write(
    `${[
      `A/B of (5), ${PAIRS} interleaved pairs of ${BURST} payments over ${CONNECTIONS} connections; machine: ${JSON.stringify(m)}`,
      'side | checkout | create->terminal p50 ms | p99 ms | payments/s end to end | failed requests',
      ...(['A', 'B'] as Side[]).map((side) => summary(side).join(' | ')),
      '(median (min-max) over the pairs)',
    ].join('\n')}\n`,
  );
}
