-- How far each staff member has read each conversation. The inbox's unread
-- count is the caller's own (the visitor's messages after their mark), as in
-- a shared mailbox: a colleague or an admin reading neither takes nor gives
-- anyone else's badge. `conversations.staff_read_id` stays what the
-- visitor's "seen" reads (the person answering).
CREATE TABLE staff_reads (
  conversation_id TEXT NOT NULL,
  staff_id TEXT NOT NULL,
  read_id INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, staff_id)
) WITHOUT ROWID;

-- Where someone without a mark of their own starts: the one shared mark a
-- conversation had before marks were kept per person (kept as it was), so no
-- badge changes at the upgrade and an old conversation is not all unread for
-- a colleague who joins later. Conversations started since start at 0.
ALTER TABLE conversations ADD COLUMN shared_read_id INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET shared_read_id = staff_read_id;
