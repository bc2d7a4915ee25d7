-- The team a saved reply is kept for: offered only in that team's
-- conversations. Empty (every saved reply before this): every team's.
ALTER TABLE saved_replies ADD COLUMN team_id TEXT NOT NULL DEFAULT '';
