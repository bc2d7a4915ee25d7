-- Bulk export (issue 17): an R2 destination's key prefix, and the days each
-- R2 destination has written, so a day is written once and a re-run skips it.
ALTER TABLE destinations ADD COLUMN prefix TEXT NOT NULL DEFAULT '';

CREATE TABLE export_days (
  destination_id TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
  -- The UTC day written, YYYY-MM-DD.
  day TEXT NOT NULL,
  -- Rows written per stream, and the objects' total compressed size.
  touchpoints INTEGER NOT NULL,
  conversations INTEGER NOT NULL,
  labels INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (destination_id, day)
) WITHOUT ROWID;
