-- A widget that lost the answer to a conversation's first message sends it
-- again with the same client id; the worker finds the conversation that
-- message started (POST /v1/conversations answers 200 with it) instead of
-- starting a second one. Client ids are random, so this finds one row.
CREATE INDEX messages_by_client_id ON messages (client_id) WHERE client_id IS NOT NULL;
