-- Destinations (issue 17): where a site's classified interactions and
-- touchpoints go besides Touchpoint's own store. Each outbound event is kept
-- once; each (destination, event) pair is one delivery with its own log.

CREATE TABLE destinations (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  -- webhook | segment | chatwoot
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  -- The webhook's signing secret, the write key or the API token; never returned.
  secret TEXT NOT NULL DEFAULT '',
  chatwoot_account_id INTEGER NOT NULL DEFAULT 0,
  chatwoot_inbox_id INTEGER NOT NULL DEFAULT 0,
  -- JSON: {"events":[…],"teams":[…],"topics":[…]}; empty lists mean all.
  filter TEXT NOT NULL DEFAULT '{}',
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX destinations_by_site ON destinations (site_id);

CREATE TABLE outbound_events (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  conversation_id TEXT NOT NULL DEFAULT '',
  -- The envelope's `data`, as JSON (redacted text only).
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX outbound_events_by_conversation ON outbound_events (conversation_id);

CREATE TABLE destination_deliveries (
  -- `<destination id>.<event id>`: the idempotency key receivers see.
  id TEXT PRIMARY KEY,
  destination_id TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
  event_id TEXT NOT NULL REFERENCES outbound_events(id) ON DELETE CASCADE,
  -- pending | delivered | dead
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_status INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  next_attempt_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX destination_deliveries_due ON destination_deliveries (status, next_attempt_at);
CREATE INDEX destination_deliveries_log ON destination_deliveries (destination_id, created_at);

-- A Touchpoint conversation's counterpart in a Chatwoot destination.
CREATE TABLE chatwoot_links (
  destination_id TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
  conversation_id TEXT NOT NULL,
  chatwoot_conversation_id INTEGER NOT NULL,
  chatwoot_contact_id INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (destination_id, conversation_id)
) WITHOUT ROWID;
CREATE INDEX chatwoot_links_by_remote ON chatwoot_links (destination_id, chatwoot_conversation_id);
