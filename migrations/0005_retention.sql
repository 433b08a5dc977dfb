-- Retention (docs/architecture.md, "Retention"): published outbox rows are purged by age in small batches.
-- Only published rows are indexed, so the hot path's INSERT pays nothing; the relay's mark adds one entry.
CREATE INDEX outbox_published_idx ON outbox (published_at) WHERE published_at IS NOT NULL;
