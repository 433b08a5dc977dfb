-- Notification events (docs/architecture.md, "Notification events"): one row per processed event id,
-- whatever is redelivered (the worker inserts with ON CONFLICT DO NOTHING on the primary key).
CREATE TABLE processed_events (
  id             uuid PRIMARY KEY,
  user_id        text        NOT NULL,
  event_type     text        NOT NULL,
  message        text        NOT NULL,
  payload        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  correlation_id text        NOT NULL,
  accepted_at    timestamptz NOT NULL,
  processed_at   timestamptz NOT NULL DEFAULT now()
);
-- Keyset pagination: the caller's events, newest accepted first.
CREATE INDEX processed_events_user_accepted_idx ON processed_events (user_id, accepted_at DESC, id DESC);

-- A notification answers either a payment outcome or a requested event; one per channel of either.
ALTER TABLE notifications ALTER COLUMN payment_id DROP NOT NULL;
ALTER TABLE notifications ADD COLUMN processed_event_id uuid REFERENCES processed_events (id);
ALTER TABLE notifications ADD CONSTRAINT notifications_one_subject
  CHECK ((payment_id IS NULL) <> (processed_event_id IS NULL));
ALTER TABLE notifications ADD CONSTRAINT notifications_processed_event_channel_key
  UNIQUE (processed_event_id, channel);
