import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOps } from '../../scripts/ops/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTerminalPayment } from '../support/factories';

// `npm run ops -- analytics run|report` against real PostgreSQL, exporting under a local data directory.

const DAY_MS = 86_400_000;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

describe('npm run ops -- analytics', () => {
  let t: TestDatabase;
  let dataDir: string;
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await runOps([...argv, '--database-url', t.url], {
      env: { LOCAL_DATA_DIR: dataDir },
      out: (x) => out.push(x),
      err: (x) => err.push(x),
    });
    return { status, out: out.join('\n'), err: err.join('\n') };
  };

  beforeEach(async () => {
    t = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'ops-analytics-'));
  });
  afterEach(async () => {
    await t.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('run, then report: the daily table in the terminal and an SVG chart with one bar per day', async () => {
    const yesterday = new Date(Date.now() - DAY_MS);
    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
    await seedTerminalPayment(t.db, { createdAt: twoDaysAgo, settleAfterMs: 100, amount: 1000 });
    await seedTerminalPayment(t.db, { createdAt: yesterday, settleAfterMs: 100, amount: 2000 });
    await seedTerminalPayment(t.db, {
      createdAt: yesterday,
      settleAfterMs: 300,
      amount: 3013,
      status: 'FAILED',
    });

    const ran = await run(['analytics', 'run']);
    expect(ran).toMatchObject({ status: 0 });
    expect(ran.out).toContain('Incremental run: 3 payment(s)');
    const exported = await readdir(join(dataDir, 'analytics', 'payment_facts'));
    expect(exported.sort()).toEqual([`dt=${dayOf(twoDaysAgo)}`, `dt=${dayOf(yesterday)}`]);

    const chart = join(dataDir, 'chart.svg');
    const report = await run(['analytics', 'report', '--days', '3', '--chart', chart]);
    expect(report.status).toBe(0);
    const line = report.out.split('\n').find((l) => l.startsWith(dayOf(yesterday)));
    expect(line?.split(/\s+/)).toEqual([
      dayOf(yesterday),
      'USD',
      '2',
      '1',
      '1',
      '0',
      '2000',
      '50.0%',
      '50.0%',
      '0.0%',
      '200',
      '290',
    ]);
    expect(report.out).toMatch(/Last run: .*incremental, 3 payment/);
    const svg = await readFile(chart, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/class="volume"/g)).toHaveLength(2);
    expect(svg).toContain(`${dayOf(yesterday)}: 50.0% succeeded`);
  });

  it('run --from --to backfills those days; a half range or a bad day is a usage error', async () => {
    const yesterday = new Date(Date.now() - DAY_MS);
    await seedTerminalPayment(t.db, { createdAt: yesterday, settleAfterMs: 10 });
    const backfill = await run([
      'analytics',
      'run',
      '--from',
      dayOf(yesterday),
      '--to',
      dayOf(yesterday),
      '--json',
    ]);
    expect(backfill.status).toBe(0);
    expect(JSON.parse(backfill.out)).toMatchObject({
      kind: 'backfill',
      payments: 1,
      exported: [dayOf(yesterday)],
    });
    expect((await t.db`SELECT * FROM analytics_cursors WHERE at > '-infinity'`).length).toBe(0);

    expect((await run(['analytics', 'run', '--from', dayOf(yesterday)])).status).toBe(2);
    expect((await run(['analytics', 'run', '--from', '2026-13-01', '--to', '2026-13-02'])).status).toBe(2);
    expect((await run(['analytics', 'report', '--days', '0'])).status).toBe(2);
  });
});
