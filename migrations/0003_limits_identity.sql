-- Per-minute event counters for rate limiting (per IP and per visitor key).
CREATE TABLE rate_limits (
  key TEXT NOT NULL,
  window INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (key, window)
) WITHOUT ROWID;

-- The secret a site's server uses to sign identify(userId, hmac); empty = identity off.
ALTER TABLE sites ADD COLUMN identity_secret TEXT NOT NULL DEFAULT '';
-- The site's own user id, stored only when its HMAC verified.
ALTER TABLE events ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
