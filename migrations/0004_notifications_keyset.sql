-- GET /notifications pages newest first by (created_at, id), like payments. A cursor carries created_at
-- as JSON does (milliseconds), so the column keeps millisecond precision, as payments' (set by the app)
-- does: a microsecond timestamp would fall between two cursor values and be skipped.
ALTER TABLE notifications ALTER COLUMN created_at SET DEFAULT date_trunc('milliseconds', now());
UPDATE notifications SET created_at = date_trunc('milliseconds', created_at)
WHERE created_at <> date_trunc('milliseconds', created_at);

-- The keyset's index; it covers what notifications_user_idx (user_id, created_at DESC) served.
CREATE INDEX notifications_user_keyset_idx ON notifications (user_id, created_at DESC, id DESC);
DROP INDEX notifications_user_idx;
