-- Powertools idempotency records of the workers' external side effects (gateway charge, notification send).
-- expiry_timestamp is in seconds and in_progress_expiry_timestamp in milliseconds, as Powertools keeps them.
CREATE TABLE worker_idempotency (
  idempotency_key              text PRIMARY KEY,
  status                       text   NOT NULL CHECK (status IN ('INPROGRESS', 'COMPLETED', 'EXPIRED')),
  expiry_timestamp             bigint NOT NULL,
  in_progress_expiry_timestamp bigint,
  payload_hash                 text,
  response_data                jsonb,
  updated_at                   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX worker_idempotency_expiry_idx ON worker_idempotency (expiry_timestamp);

-- The simulated gateway's own durable record of charges: one per idempotency key, like a real provider.
CREATE TABLE gateway_charges (
  idempotency_key text PRIMARY KEY,
  charge_id       uuid        NOT NULL UNIQUE,
  amount          bigint      NOT NULL CHECK (amount > 0),
  currency        char(3)     NOT NULL,
  outcome         text        NOT NULL CHECK (outcome IN ('succeeded', 'declined')),
  decline_code    text,
  decline_reason  text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
