-- The team a conversation was moved to, on its `moved_team` notice: shown to
-- staff ("Moved to Billing by Ana"); never in what visitors read. Empty for
-- other notices and for moves stored before it was kept.
ALTER TABLE messages ADD COLUMN team_id TEXT NOT NULL DEFAULT '';
