-- Saved replies: answers a site's admins keep for their staff to start
-- from, found by shortcut in the console's reply box. A person reads and
-- sends each one as their own reply; nothing here is ever sent by itself.
CREATE TABLE saved_replies (
  site_id TEXT NOT NULL,
  shortcut TEXT NOT NULL,
  text TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (site_id, shortcut)
) WITHOUT ROWID;
