-- Acquisition, event details and the cookieless visitor key.
ALTER TABLE events ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN source_name TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN utm_source TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN utm_medium TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN utm_campaign TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN utm_term TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN utm_content TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN click_id TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN page_type TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN target TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN props TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN engaged_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN scroll_percent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN fields INTEGER NOT NULL DEFAULT 0;
-- Cookieless key: SHA-256 of the day's salt, site, IP and user agent. Empty
-- when the visitor asked not to be tracked (DNT / GPC).
ALTER TABLE events ADD COLUMN visitor_key TEXT NOT NULL DEFAULT '';
-- A random id the recorder keeps only with the visitor's consent.
ALTER TABLE events ADD COLUMN visitor_id TEXT NOT NULL DEFAULT '';

CREATE INDEX events_by_visitor ON events (site_id, visitor_key, occurred_at);

-- The site's page-type rules: JSON array of {"prefix": "/plans", "type": "pricing"}.
ALTER TABLE sites ADD COLUMN page_rules TEXT NOT NULL DEFAULT '[]';

-- One salt per UTC day; salts older than 48 hours are deleted, after which
-- nobody (not even the operator) can link a key back to an IP address.
CREATE TABLE salts (
  day TEXT PRIMARY KEY,
  salt TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
