-- A PostgreSQL role per function, with only the grants its code needs, and a read-only role for the ops
-- CLI's reports (docs/architecture.md, "Database roles"). The names are lib/names.ts's databaseRole(key) and
-- opsDatabaseRole; test/integration/database-roles.test.ts checks these are exactly the topology's database
-- functions (the migrator excepted: it is the owner and applies this) and what each role may do.
--
-- Roles belong to the cluster, grants to the database: several databases of one cluster (the test runs')
-- apply this concurrently, so a role another transaction created first is fine (duplicate_object, or
-- unique_violation when both insert at once). LOGIN without a password: in AWS they authenticate with IAM
-- (rds_iam, granted where RDS has that role); locally the runtime logs in as the owner and takes the role.
-- A later migration that adds a table grants it to the roles that use it; the ops role reads new tables
-- by default privileges.

DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY[
    'payments_api', 'payments_payment_worker', 'payments_notification_worker', 'payments_outbox_relay',
    'payments_risk_worker', 'payments_retention', 'payments_analytics', 'payments_ops_readonly'
  ] LOOP
    BEGIN
      EXECUTE format('CREATE ROLE %I LOGIN', r);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam') THEN
      BEGIN
        EXECUTE format('GRANT rds_iam TO %I', r);
      EXCEPTION WHEN unique_violation THEN
        NULL;
      END;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), r);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', r);
  END LOOP;
  -- Per database, so no two test databases write the same catalog row.
  EXECUTE format('ALTER ROLE payments_ops_readonly IN DATABASE %I SET default_transaction_read_only = on',
                 current_database());
END $$;

-- Everything after commit dispatches its outbox rows: marks them published, or records the failure.
-- (UPDATE ... WHERE reads the columns it filters on, hence SELECT.)

-- The API: creates payments with their idempotency key and outbox row; reads its queries. It never
-- changes a payment.
GRANT SELECT, INSERT ON payments, idempotency_keys TO payments_api;
GRANT SELECT, INSERT, UPDATE (published_at, last_error, attempts, next_attempt_at) ON outbox TO payments_api;
GRANT SELECT ON ledger_entries, notifications, risk_assessments, processed_events TO payments_api;

-- The payment worker: settles a payment (status only), posts the ledger, records the gateway's charge.
GRANT SELECT, UPDATE (status, failure_code, failure_reason, updated_at) ON payments TO payments_payment_worker;
GRANT SELECT ON risk_assessments TO payments_payment_worker;
GRANT INSERT ON ledger_entries TO payments_payment_worker;
GRANT USAGE ON SEQUENCE ledger_entries_id_seq TO payments_payment_worker;
GRANT SELECT, INSERT ON gateway_charges TO payments_payment_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON worker_idempotency TO payments_payment_worker;
GRANT SELECT, INSERT, UPDATE (published_at, last_error, attempts, next_attempt_at) ON outbox
  TO payments_payment_worker;

-- The risk worker: reads a payment and its user's history, writes the assessment.
GRANT SELECT ON payments TO payments_risk_worker;
GRANT SELECT, INSERT ON risk_assessments TO payments_risk_worker;
GRANT SELECT, INSERT, UPDATE (published_at, last_error, attempts, next_attempt_at) ON outbox
  TO payments_risk_worker;

-- The notification worker: notifications of payment outcomes and of requested events.
GRANT SELECT, INSERT ON notifications, processed_events TO payments_notification_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON worker_idempotency TO payments_notification_worker;
GRANT SELECT, INSERT, UPDATE (published_at, last_error, attempts, next_attempt_at) ON outbox
  TO payments_notification_worker;

-- The outbox relay: claims due rows and marks them.
GRANT SELECT, UPDATE (published_at, last_error, attempts, next_attempt_at) ON outbox TO payments_outbox_relay;

-- Retention: counts and deletes what expired. Its batches lock rows (FOR UPDATE SKIP LOCKED), which needs
-- UPDATE on some column: each is one retention could only shorten a row's life through, as it deletes.
GRANT SELECT, DELETE, UPDATE (created_at) ON idempotency_keys TO payments_retention;
GRANT SELECT, DELETE, UPDATE (last_error) ON outbox TO payments_retention;
GRANT SELECT, DELETE, UPDATE (expiry_timestamp) ON worker_idempotency TO payments_retention;
GRANT SELECT, DELETE ON analytics_runs TO payments_retention;

-- Analytics: reads the terminal payments, their assessment and notifications; keeps its own tables.
GRANT SELECT ON payments, notifications, risk_assessments TO payments_analytics;
GRANT SELECT, INSERT, UPDATE ON payment_facts, daily_payment_stats TO payments_analytics;
GRANT SELECT, UPDATE ON analytics_cursors TO payments_analytics;
GRANT SELECT, INSERT, UPDATE, DELETE ON analytics_stale_exports TO payments_analytics;
GRANT SELECT, INSERT ON analytics_runs TO payments_analytics;
GRANT USAGE ON SEQUENCE analytics_runs_id_seq TO payments_analytics;

-- The ops CLI's reports: read everything, now and in tables later migrations (run as this owner) create.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO payments_ops_readonly;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO payments_ops_readonly;
