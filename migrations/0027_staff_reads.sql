-- How far each staff member has read each conversation. The inbox's unread
-- count is the caller's own (the visitor's messages after their mark), as in
-- a shared mailbox: a colleague or an admin looking in neither takes nor
-- gives anyone else's badge. `conversations.staff_read_id` stays what the
-- visitor's "seen" reads (the person answering).
CREATE TABLE staff_reads (
  conversation_id TEXT NOT NULL,
  staff_id TEXT NOT NULL,
  read_id INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, staff_id)
) WITHOUT ROWID;

-- Nobody's count changes at the upgrade: everyone who can open a
-- conversation starts where its one shared mark was.
INSERT INTO staff_reads (conversation_id, staff_id, read_id)
  SELECT c.id, s.id, c.staff_read_id FROM conversations c JOIN staff s ON s.site_id = c.site_id
  WHERE c.staff_read_id > 0 AND s.revoked_at = 0
    AND (s.role = 'admin' OR EXISTS (SELECT 1 FROM json_each(s.teams) t WHERE t.value = c.team_id));
