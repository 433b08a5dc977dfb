-- Risk screening before the charge (docs/architecture.md, "Risk screening"): one assessment per payment,
-- whatever is redelivered (the primary key is the guardrail). `rules` keeps every rule's hit and score.
CREATE TABLE risk_assessments (
  payment_id    uuid PRIMARY KEY REFERENCES payments (id),
  user_id       text        NOT NULL,
  score         integer     NOT NULL CHECK (score BETWEEN 0 AND 100),
  level         text        NOT NULL CHECK (level IN ('normal', 'elevated', 'highest')),
  outcome       text        NOT NULL CHECK (outcome IN ('allow', 'block')),
  rules_version text        NOT NULL,
  rules         jsonb       NOT NULL,
  assessed_at   timestamptz NOT NULL
);
-- The velocity rules read the user's payments by (user_id, created_at): payments_user_created_idx serves
-- them. Declines are counted from the same range.
CREATE INDEX risk_assessments_user_level_idx ON risk_assessments (user_id, level);
