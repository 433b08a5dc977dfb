-- Double-entry ledger: a SUCCEEDED payment debits the user's account and credits platform settlement.
CREATE TABLE ledger_entries (
  id         bigserial PRIMARY KEY,
  payment_id uuid        NOT NULL REFERENCES payments (id),
  account    text        NOT NULL,
  direction  text        NOT NULL CHECK (direction IN ('debit', 'credit')),
  amount     bigint      NOT NULL CHECK (amount > 0),
  currency   char(3)     NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- A payment is posted once: a second posting is refused by the database itself.
  UNIQUE (payment_id, account, direction)
);
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account, currency);

-- What we told the user; one per channel per payment, whatever is redelivered.
CREATE TABLE notifications (
  id         uuid PRIMARY KEY,
  payment_id uuid        NOT NULL REFERENCES payments (id),
  user_id    text        NOT NULL,
  event_id   uuid        NOT NULL,
  channel    text        NOT NULL CHECK (channel IN ('email', 'sms')),
  status     text        NOT NULL CHECK (status IN ('sent')),
  message    text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at    timestamptz NOT NULL,
  UNIQUE (payment_id, channel)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);
