-- The conversation rooms each staff member has opened a live socket in
-- lately: when the account is revoked, given a new token or its teams
-- change, the worker tells each of those rooms, so no socket there keeps
-- hearing the conversation (the site's inbox room is told by tag). Rows
-- older than a socket's authorization (ten minutes) are pruned as new
-- ones are written.
CREATE TABLE live_staff_rooms (
  staff_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  opened_at INTEGER NOT NULL,
  PRIMARY KEY (staff_id, conversation_id)
) WITHOUT ROWID;
