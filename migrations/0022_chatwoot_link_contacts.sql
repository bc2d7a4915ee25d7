-- A Chatwoot conversation is created in two calls: its contact, then the
-- conversation. When the second failed, the retry created the contact again
-- and Chatwoot refused its identifier as taken, so the delivery died. The
-- link is now written after the first call (steps = -1, no conversation
-- yet) with what the second needs, and a retry goes on from there.
ALTER TABLE chatwoot_links ADD COLUMN chatwoot_source_id TEXT NOT NULL DEFAULT '';
