-- The client id of the message a widget conversation started with: one
-- device's first message, sent again while its first send is still being
-- stored, must find that conversation, never open a second. The unique
-- index makes the second of two concurrent starts fail as a whole; the
-- worker then answers it with the conversation the first one stored.
-- Empty for conversations started before it (their retries are found by
-- their first message) and for other channels.
ALTER TABLE conversations ADD COLUMN start_client_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX conversations_start_client ON conversations (site_id, visitor_key, start_client_id)
  WHERE start_client_id != '';
