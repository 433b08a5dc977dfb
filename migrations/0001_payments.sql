-- Payments, their idempotency records and the transactional outbox (docs/architecture.md, "Idempotency").
CREATE TABLE payments (
  id             uuid PRIMARY KEY,
  user_id        text        NOT NULL,
  amount         bigint      NOT NULL CHECK (amount > 0),
  currency       char(3)     NOT NULL,
  status         text        NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
  description    text,
  metadata       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  failure_code   text,
  failure_reason text,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
-- Keyset pagination: the caller's payments, newest first.
CREATE INDEX payments_user_created_idx ON payments (user_id, created_at DESC, id DESC);
CREATE INDEX payments_pending_idx ON payments (created_at) WHERE status = 'PENDING';

-- One row per (user, key): the UNIQUE primary key is the last guardrail against a double payment.
-- The row is claimed first and completed in the same transaction, so nobody ever sees it half-done.
CREATE TABLE idempotency_keys (
  user_id         text        NOT NULL,
  idempotency_key text        NOT NULL,
  request_hash    text        NOT NULL,
  response_status integer,
  response_body   text,
  payment_id      uuid        REFERENCES payments (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- Events written in the same transaction as the state they describe; published after commit.
CREATE TABLE outbox (
  event_id        uuid PRIMARY KEY,
  source          text        NOT NULL,
  detail_type     text        NOT NULL,
  detail          jsonb       NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  published_at    timestamptz,
  attempts        integer     NOT NULL DEFAULT 0,
  last_error      text,
  next_attempt_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_unpublished_idx ON outbox (next_attempt_at) WHERE published_at IS NULL;
