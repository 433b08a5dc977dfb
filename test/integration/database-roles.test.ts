import { randomUUID } from 'node:crypto';
import {
  connectDatabase,
  type Database,
  databaseRoleScope,
  openDatabase,
} from '../../lambdas/shared/adapters/postgres/database';
import { purgeKeyRecords } from '../../lambdas/shared/adapters/postgres/idempotency-keys';
import { postPayment } from '../../lambdas/shared/adapters/postgres/ledger';
import { markPublished, publishDue, purgePublished } from '../../lambdas/shared/adapters/postgres/outbox';
import { PostgresPaymentQueries } from '../../lambdas/shared/adapters/postgres/payment-queries';
import { transitionFromPending } from '../../lambdas/shared/adapters/postgres/payments';
import { purgeExpiredRecords } from '../../lambdas/shared/adapters/postgres/worker-idempotency';
import { loadConfig, platformConfigSchema } from '../../lambdas/shared/config';
import { names } from '../../lib/names';
import { topology } from '../../lib/topology';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedPendingPayment } from '../support/factories';

// Least privilege in PostgreSQL (docs/architecture.md, "Database roles"): each function's role can do what
// its code does and not what it must not; the ops role reads only; later migrations keep it so.

const functionRoles = Object.fromEntries(
  Object.entries(topology.functions)
    .filter(([name, spec]) => spec.usesDatabase && name !== topology.migrator)
    .map(([name]) => [name, names.databaseRole(name)]),
);
const allRoles = [...Object.values(functionRoles), names.opsDatabaseRole];

let t: TestDatabase;
const pools: Database[] = [];
/** The test database as role `role` (signed in as its owner, taking the role, as the local runtime does). */
const as = (role: string) => {
  const db = openDatabase(t.url, { max: 2, role });
  pools.push(db);
  return db;
};
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end({ timeout: 2 })));
  await t.drop();
});

/** Resolves to the error code PostgreSQL refused `work` with, or 'ok'. */
async function outcome(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}
const DENIED = '42501'; // insufficient_privilege

describe('the roles', () => {
  it('are exactly the topology database functions (the migrator is the owner) and the ops role, by lib/names.ts', async () => {
    // Whoever the migrations grant CONNECT on this database to, explicitly (PUBLIC aside).
    const granted = await t.db<{ role: string }[]>`
      SELECT DISTINCT a.grantee::regrole::text AS role
      FROM pg_database d, aclexplode(d.datacl) a
      WHERE d.datname = current_database() AND a.privilege_type = 'CONNECT' AND a.grantee <> 0
        AND a.grantee <> d.datdba`;
    expect(granted.map((r) => r.role).sort()).toEqual([...allRoles].sort());
    expect(functionRoles.paymentWorker).toBe('payments_payment_worker');
  });

  it('sign in with nothing but IAM (no password), and hold no power over the cluster', async () => {
    const rows = await t.db<{ rolname: string; privileged: boolean; password: boolean; login: boolean }[]>`
      SELECT rolname, rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls OR rolreplication AS privileged,
             rolpassword IS NOT NULL AS password, rolcanlogin AS login
      FROM pg_authid WHERE rolname = ANY(${allRoles})`;
    expect(rows).toHaveLength(allRoles.length);
    for (const r of rows)
      expect(r).toEqual({ rolname: r.rolname, privileged: false, password: false, login: true });
  });

  it('can be created by several databases of one cluster at once (roles are cluster-wide)', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      for (const other of [a!, b!]) {
        const db = openDatabase(other.url, { max: 1, role: functionRoles.api });
        try {
          expect(await db`SELECT count(*)::int AS n FROM payments`).toEqual([{ n: 0 }]);
        } finally {
          await db.end();
        }
      }
    } finally {
      await Promise.all([a!.drop(), b!.drop()]);
    }
  });
});

describe('the API role', () => {
  it('creates payments with their key and outbox row, reads its queries, marks its events published', async () => {
    const api = as(functionRoles.api!);
    const { payment, created } = await seedPendingPayment(api, { userId: `roles-${randomUUID()}` });
    expect((await new PostgresPaymentQueries(api).findPayment(payment.id))?.id).toBe(payment.id);
    await markPublished(api, [created.eventId]);
    const [row] = await t.db`SELECT published_at FROM outbox WHERE event_id = ${created.eventId}`;
    expect(row?.published_at).toBeInstanceOf(Date);
  });

  it("cannot change a payment's status, delete anything, or touch the workers' tables", async () => {
    const api = as(functionRoles.api!);
    const { payment } = await seedPendingPayment(t.db);
    expect(await outcome(api`UPDATE payments SET status = 'SUCCEEDED' WHERE id = ${payment.id}`)).toBe(
      DENIED,
    );
    expect(await outcome(api`DELETE FROM payments WHERE id = ${payment.id}`)).toBe(DENIED);
    expect(await outcome(api`DELETE FROM idempotency_keys`)).toBe(DENIED);
    expect(await outcome(api`DELETE FROM outbox`)).toBe(DENIED);
    expect(await outcome(api`UPDATE outbox SET detail = '{}'::jsonb`)).toBe(DENIED);
    expect(await outcome(api`SELECT * FROM worker_idempotency`)).toBe(DENIED);
    expect(
      await outcome(api`INSERT INTO ledger_entries (payment_id, account, direction, amount, currency)
      VALUES (${payment.id}, 'x', 'debit', 1, 'USD')`),
    ).toBe(DENIED);
    const [still] = await t.db`SELECT status FROM payments WHERE id = ${payment.id}`;
    expect(still?.status).toBe('PENDING');
  });
});

describe('the payment worker role', () => {
  it('settles a payment and posts its ledger entries', async () => {
    const worker = as(functionRoles.paymentWorker!);
    const { payment } = await seedPendingPayment(t.db);
    const settled = await worker.begin(async (tx) => {
      const p = await transitionFromPending(tx, payment.id, {
        status: 'SUCCEEDED',
        failureCode: null,
        failureReason: null,
        at: new Date(),
      });
      await postPayment(tx, payment);
      return p;
    });
    expect(settled?.status).toBe('SUCCEEDED');
    const [n] = await t.db`SELECT count(*)::int AS n FROM ledger_entries WHERE payment_id = ${payment.id}`;
    expect(n?.n).toBe(2);
  });

  it("cannot create payments, change a payment's amount, or touch the API's idempotency keys", async () => {
    const worker = as(functionRoles.paymentWorker!);
    const { payment } = await seedPendingPayment(t.db);
    expect(await outcome(seedPendingPayment(worker))).toBe(DENIED);
    expect(await outcome(worker`UPDATE payments SET amount = 1 WHERE id = ${payment.id}`)).toBe(DENIED);
    expect(await outcome(worker`SELECT * FROM idempotency_keys`)).toBe(DENIED);
    expect(await outcome(worker`DELETE FROM idempotency_keys`)).toBe(DENIED);
    expect(await outcome(worker`DELETE FROM payments`)).toBe(DENIED);
  });
});

describe('the other workers', () => {
  it.each(['riskWorker', 'notificationWorker', 'outboxRelay', 'analytics'])(
    '%s cannot settle a payment or touch idempotency keys',
    async (fn) => {
      const db = as(functionRoles[fn]!);
      expect(await outcome(db`UPDATE payments SET status = 'FAILED'`)).toBe(DENIED);
      expect(await outcome(db`SELECT * FROM idempotency_keys`)).toBe(DENIED);
      expect(await outcome(db`DELETE FROM outbox`)).toBe(DENIED);
    },
  );

  it('the outbox relay claims and publishes due rows, and reads nothing else', async () => {
    const relay = as(functionRoles.outboxRelay!);
    await seedPendingPayment(t.db);
    const result = await publishDue(relay, 100, async (events) => ({
      published: events.map((e) => e.eventId),
      failed: [],
    }));
    expect(result.claimed).toBeGreaterThan(0);
    expect(await outcome(relay`SELECT * FROM payments`)).toBe(DENIED);
    expect(
      await outcome(relay`INSERT INTO outbox (event_id, source, detail_type, detail)
      VALUES (${randomUUID()}, 's', 'd', '{}')`),
    ).toBe(DENIED);
  });

  it('retention deletes what expired, in locked batches, and cannot write or delete payments', async () => {
    const retention = as(functionRoles.retention!);
    const future = new Date(Date.now() + 3600_000);
    expect(await outcome(purgeKeyRecords(retention, future, 10))).toBe('ok');
    expect(await outcome(purgePublished(retention, future, 10))).toBe('ok');
    expect(await outcome(purgeExpiredRecords(retention, future, 10))).toBe('ok');
    expect(await outcome(retention`DELETE FROM payments`)).toBe(DENIED);
    expect(await outcome(retention`UPDATE outbox SET published_at = now()`)).toBe(DENIED);
  });
});

describe('the ops role', () => {
  it('reads every table and writes none', async () => {
    const ops = as(names.opsDatabaseRole);
    const tables = await t.db<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
    expect(tables.length).toBeGreaterThan(10);
    for (const { table_name } of tables) {
      expect({ table_name, read: await outcome(ops`SELECT 1 FROM ${ops(table_name)} LIMIT 1`) }).toEqual({
        table_name,
        read: 'ok',
      });
    }
    expect(await outcome(ops`DELETE FROM outbox`)).toBe(DENIED);
    expect(await outcome(ops`UPDATE payments SET status = 'FAILED'`)).toBe(DENIED);
    expect(
      await outcome(ops`INSERT INTO analytics_cursors (source, at, id) VALUES ('x', now(), ${randomUUID()})`),
    ).toBe(DENIED);
    // Signed in as itself (IAM in AWS), its sessions also start read-only in this database.
    const [setting] = await t.db<{ config: string[] }[]>`
      SELECT setconfig AS config FROM pg_db_role_setting
      WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND setrole = ${names.opsDatabaseRole}::regrole`;
    expect(setting?.config).toEqual(['default_transaction_read_only=on']);
  });
});

describe('grants across migrations', () => {
  it('no role may truncate, reference or trigger on any table, and the ops role may only read', async () => {
    const grants = await t.db<{ grantee: string; table_name: string; privilege_type: string }[]>`
      SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants
      WHERE table_schema = 'public' AND grantee = ANY(${allRoles})`;
    expect(grants.filter((g) => ['TRUNCATE', 'REFERENCES', 'TRIGGER'].includes(g.privilege_type))).toEqual(
      [],
    );
    expect(
      grants.filter((g) => g.grantee === names.opsDatabaseRole && g.privilege_type !== 'SELECT'),
    ).toEqual([]);
  });

  it('every role that may insert into a table may use its sequence', async () => {
    const missing = await t.db<{ role: string; table_name: string }[]>`
      SELECT r.role, c.relname AS table_name
      FROM pg_class c
      JOIN pg_depend d ON d.refobjid = c.oid AND d.deptype IN ('a', 'i')
      JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
      CROSS JOIN unnest(${allRoles}::text[]) AS r(role)
      WHERE c.relnamespace = 'public'::regnamespace
        AND has_table_privilege(r.role, c.oid, 'INSERT')
        AND NOT has_sequence_privilege(r.role, s.oid, 'USAGE')`;
    expect(missing).toEqual([]);
  });

  it('a table a later migration creates is readable by the ops role and closed to the functions', async () => {
    const later = await createTestDatabase();
    try {
      await later.db`CREATE TABLE later_table (id int PRIMARY KEY)`;
      const ops = openDatabase(later.url, { max: 1, role: names.opsDatabaseRole });
      const api = openDatabase(later.url, { max: 1, role: functionRoles.api });
      try {
        expect(await outcome(ops`SELECT * FROM later_table`)).toBe('ok');
        expect(await outcome(api`SELECT * FROM later_table`)).toBe(DENIED);
      } finally {
        await Promise.all([ops.end(), api.end()]);
      }
    } finally {
      await later.drop();
    }
  });
});

describe('connectDatabase over one DATABASE_URL (the local runtime from the sources)', () => {
  it('sends each invocation to the pool of the role in scope, and the rest as the URL user', async () => {
    const db = await connectDatabase(loadConfig(platformConfigSchema, { DATABASE_URL: t.url }));
    try {
      const who = async () => (await db<{ u: string }[]>`SELECT current_user AS u`)[0]!.u;
      const [api, relay, owner] = await Promise.all([
        databaseRoleScope.run(functionRoles.api!, who),
        databaseRoleScope.run(functionRoles.outboxRelay!, () =>
          db.begin((tx) => tx`SELECT current_user AS u`),
        ),
        who(),
      ]);
      expect(api).toBe(functionRoles.api);
      expect((relay as unknown as { u: string }[])[0]!.u).toBe(functionRoles.outboxRelay);
      expect(owner).toBe(new URL(t.url).username);
    } finally {
      await db.end();
    }
  });

  it('takes DATABASE_USER as its one role when it is set', async () => {
    const db = await connectDatabase(
      loadConfig(platformConfigSchema, { DATABASE_URL: t.url, DATABASE_USER: functionRoles.retention }),
    );
    try {
      expect(await db`SELECT current_user AS u`).toEqual([{ u: functionRoles.retention }]);
    } finally {
      await db.end();
    }
  });
});
