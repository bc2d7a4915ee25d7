-- Issue 19: daily roll-ups of touchpoints, so one D1 database keeps a site's
-- history for its whole retention (domain::rollup). Raw events stay for the
-- journey window, roll-ups for the retention; one row per UTC day, path,
-- page type, channel, source and campaign.
CREATE TABLE daily_touchpoints (
  site_id TEXT NOT NULL,
  day TEXT NOT NULL,
  path TEXT NOT NULL,
  page_type TEXT NOT NULL,
  channel TEXT NOT NULL,
  source_name TEXT NOT NULL,
  utm_campaign TEXT NOT NULL,
  views INTEGER NOT NULL,
  visitors INTEGER NOT NULL,
  landings INTEGER NOT NULL,
  engaged_ms INTEGER NOT NULL,
  PRIMARY KEY (site_id, day, path, page_type, channel, source_name, utm_campaign)
) WITHOUT ROWID;
-- How long raw events are kept (days, at most retention_days); the roll-ups
-- keep the rest. rolled_through: the last UTC day (YYYY-MM-DD) rolled up.
ALTER TABLE sites ADD COLUMN journey_days INTEGER NOT NULL DEFAULT 395;
ALTER TABLE sites ADD COLUMN rolled_through TEXT NOT NULL DEFAULT '';
