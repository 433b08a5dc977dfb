-- Local runtime only: SQS-like queues kept in PostgreSQL, so a kill -9 loses nothing.
-- A message is visible when visible_at <= now(); receiving it hides it for the visibility timeout.
CREATE TABLE local_queue_messages (
  id                uuid PRIMARY KEY,
  queue             text        NOT NULL,
  body              text        NOT NULL,
  sent_at           timestamptz NOT NULL DEFAULT now(),
  visible_at        timestamptz NOT NULL DEFAULT now(),
  receive_count     integer     NOT NULL DEFAULT 0,
  first_received_at timestamptz,
  -- Changes on every receive; an old handle cannot touch a later delivery.
  receipt_handle    text UNIQUE,
  -- Set while a handler of this runtime holds the message; a restart frees what a dead process held.
  leased_by         text
);
CREATE INDEX local_queue_messages_receive_idx ON local_queue_messages (queue, visible_at);
