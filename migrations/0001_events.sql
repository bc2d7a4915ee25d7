-- Sites that may send touchpoints, keyed by their public key (the script tag's data-site).
CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  -- JSON array of allowed origins, e.g. ["https://shop.example"].
  allowed_origins TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL
);

-- Recorded touchpoints. The primary key makes ingestion idempotent: a retried
-- batch inserts each event once (INSERT OR IGNORE).
CREATE TABLE events (
  site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  kind TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  path TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  referrer TEXT NOT NULL DEFAULT '',
  viewport_width INTEGER NOT NULL DEFAULT 0,
  viewport_height INTEGER NOT NULL DEFAULT 0,
  language TEXT NOT NULL DEFAULT '',
  time_zone TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (site_id, id)
) WITHOUT ROWID;

CREATE INDEX events_by_site_time ON events (site_id, occurred_at);
