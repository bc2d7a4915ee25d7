-- How many of the calls after creating a conversation in Chatwoot went
-- through (its first message, its labels, the private note). A retry after
-- one failed skipped them all, so the visitor's first message never reached
-- Chatwoot while the delivery said delivered; now it goes on from there.
-- Links made before this column finished all three.
ALTER TABLE chatwoot_links ADD COLUMN steps INTEGER NOT NULL DEFAULT 3;
