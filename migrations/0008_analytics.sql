-- Analytics (docs/architecture.md, "Analytics"): facts and daily stats derived from the payments, kept by the
-- scheduled analytics function. Money stays integer minor units; times to terminal are milliseconds.

-- One row per terminal payment, rewritten whole on every change (upsert by payment id: re-runs write the same).
CREATE TABLE payment_facts (
  payment_id          uuid PRIMARY KEY,
  user_id             text        NOT NULL,
  currency            char(3)     NOT NULL,
  amount              bigint      NOT NULL,
  status              text        NOT NULL CHECK (status IN ('SUCCEEDED', 'FAILED')),
  failure_code        text,
  risk_score          integer,
  risk_level          text,
  risk_outcome        text,
  created_at          timestamptz NOT NULL,
  settled_at          timestamptz NOT NULL,
  time_to_terminal_ms bigint      NOT NULL,
  notifications_sent  integer     NOT NULL,
  -- The UTC day of creation: the stats' day and the exports' dt= partition.
  day                 date        NOT NULL
);
CREATE INDEX payment_facts_day_currency_idx ON payment_facts (day, currency);

-- Day x currency, recomputed from payment_facts for each (day, currency) a run touched.
CREATE TABLE daily_payment_stats (
  day                 date        NOT NULL,
  currency            char(3)     NOT NULL,
  payments            bigint      NOT NULL,
  succeeded           bigint      NOT NULL,
  failed              bigint      NOT NULL,
  declined            bigint      NOT NULL,
  blocked             bigint      NOT NULL,
  amount_total        bigint      NOT NULL,
  amount_succeeded    bigint      NOT NULL,
  success_rate        double precision NOT NULL,
  decline_rate        double precision NOT NULL,
  block_rate          double precision NOT NULL,
  p50_time_to_terminal_ms double precision NOT NULL,
  p95_time_to_terminal_ms double precision NOT NULL,
  PRIMARY KEY (day, currency)
);

-- Where the incremental run stands in each source: a keyset cursor (time, id). One row per source; a run
-- holds it FOR UPDATE for one batch, so two runs take turns instead of doing the same batch twice.
CREATE TABLE analytics_cursors (
  source     text PRIMARY KEY CHECK (source IN ('payments', 'notifications')),
  at         timestamptz NOT NULL,
  id         uuid        NOT NULL
);
INSERT INTO analytics_cursors (source, at, id) VALUES
  ('payments', '-infinity', '00000000-0000-0000-0000-000000000000'),
  ('notifications', '-infinity', '00000000-0000-0000-0000-000000000000');

-- Days whose Parquet exports are stale: marked in the batch's transaction, cleared once written (a crash
-- between leaves the mark, so the next run writes them). `version` tells a clear from a newer mark.
CREATE TABLE analytics_stale_exports (
  day     date PRIMARY KEY,
  version bigint NOT NULL DEFAULT 1
);

-- One row per successful run: the report's "last run", the alarm's evidence locally.
CREATE TABLE analytics_runs (
  id          bigserial PRIMARY KEY,
  kind        text        NOT NULL CHECK (kind IN ('incremental', 'backfill')),
  window_from timestamptz,
  window_to   timestamptz NOT NULL,
  payments    integer     NOT NULL,
  days        integer     NOT NULL,
  complete    boolean     NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now()
);

-- The incremental reads: terminal payments and notifications by the time they changed. Partial, so the hot
-- path's INSERT of a PENDING payment pays nothing; the settlement's UPDATE adds one entry.
CREATE INDEX payments_terminal_updated_idx ON payments (updated_at, id) WHERE status <> 'PENDING';
CREATE INDEX notifications_created_idx ON notifications (created_at, id);
