-- Whether the first message reports a gap between what the visitor expected
-- and what happened (the classifier's expectation_gap), for the insights page.
ALTER TABLE conversations ADD COLUMN expectation_gap INTEGER NOT NULL DEFAULT 0;
CREATE INDEX conversations_by_site_time ON conversations (site_id, created_at);
