-- Conversations with the people who staff a site (issue 5).

-- Site settings for the contact channel. Office hours are written in time_zone.
ALTER TABLE sites ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
-- Touchpoints and closed conversations older than this are deleted by the daily job.
ALTER TABLE sites ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 395;
ALTER TABLE sites ADD COLUMN default_team TEXT NOT NULL DEFAULT '';
-- JSON array of {"topic": "refund", "team": "billing"}.
ALTER TABLE sites ADD COLUMN routing_rules TEXT NOT NULL DEFAULT '[]';
-- SHA-256 of the key other channels (mail, social, phone notes) post to /v1/intake with.
ALTER TABLE sites ADD COLUMN intake_key_hash TEXT NOT NULL DEFAULT '';
-- Where the console lives, for links in webhooks.
ALTER TABLE sites ADD COLUMN console_url TEXT NOT NULL DEFAULT '';

CREATE TABLE teams (
  site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  -- JSON {"weekly": [{"day": "mon", "open": "09:00", "close": "17:00"}], "closures": [...]}.
  hours TEXT NOT NULL DEFAULT '{"weekly":[]}',
  -- Minutes a visitor may wait before the team's webhook is told.
  target_minutes INTEGER NOT NULL DEFAULT 60,
  -- Whether visitors can pick this team in the widget.
  visible INTEGER NOT NULL DEFAULT 1,
  webhook_url TEXT NOT NULL DEFAULT '',
  webhook_secret TEXT NOT NULL DEFAULT '',
  -- 'json' (Touchpoint's own body) or 'slack'.
  webhook_format TEXT NOT NULL DEFAULT 'json',
  PRIMARY KEY (site_id, id)
) WITHOUT ROWID;

CREATE TABLE staff (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  -- 'agent' or 'admin' (admins may act on every team of the site).
  role TEXT NOT NULL DEFAULT 'agent',
  -- JSON array of team ids the staff member works in.
  teams TEXT NOT NULL DEFAULT '[]',
  -- SHA-256 of the secret part of the staff token; the token is shown once.
  token_hash TEXT NOT NULL,
  presence TEXT NOT NULL DEFAULT 'away',
  last_seen_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  team_id TEXT NOT NULL,
  -- 'waiting' (for a person), 'open' (a person answered) or 'closed'.
  status TEXT NOT NULL,
  -- 'widget', 'email', 'social' or 'phone'.
  channel TEXT NOT NULL DEFAULT 'widget',
  visitor_key TEXT NOT NULL DEFAULT '',
  visitor_id TEXT NOT NULL DEFAULT '',
  user_id TEXT NOT NULL DEFAULT '',
  visitor_name TEXT NOT NULL DEFAULT '',
  locale TEXT NOT NULL DEFAULT '',
  -- 'here', 'email' or 'phone', with the details the visitor gave.
  reply_channel TEXT NOT NULL DEFAULT 'here',
  reply_email TEXT NOT NULL DEFAULT '',
  reply_phone TEXT NOT NULL DEFAULT '',
  callback_from INTEGER NOT NULL DEFAULT 0,
  callback_to INTEGER NOT NULL DEFAULT 0,
  -- Other channels: the sender's external id and address for replies.
  external_id TEXT NOT NULL DEFAULT '',
  reply_address TEXT NOT NULL DEFAULT '',
  -- Labels of the first message (the edge's; corrections update them).
  topic TEXT NOT NULL DEFAULT '',
  sentiment TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL DEFAULT '',
  confidence REAL NOT NULL DEFAULT 0,
  assignee_id TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  first_response_at INTEGER NOT NULL DEFAULT 0,
  last_visitor_at INTEGER NOT NULL DEFAULT 0,
  last_staff_at INTEGER NOT NULL DEFAULT 0,
  closed_at INTEGER NOT NULL DEFAULT 0,
  -- Read markers: the last message id each side has seen.
  visitor_read_id INTEGER NOT NULL DEFAULT 0,
  staff_read_id INTEGER NOT NULL DEFAULT 0,
  escalated_at INTEGER NOT NULL DEFAULT 0,
  unseen_notified_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conversations_inbox ON conversations (site_id, team_id, status, last_visitor_at);
CREATE INDEX conversations_by_user ON conversations (site_id, user_id);

-- Visitor tokens (128 random bits, stored hashed). A verified visitor on a new
-- device gets a new token for the same conversation.
CREATE TABLE conversation_tokens (
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, token_hash)
) WITHOUT ROWID;

-- The thread. The id is the polling cursor.
CREATE TABLE messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  -- 'visitor', 'staff' or 'system'. Staff messages come only from an
  -- authenticated staff request; system notices carry a code, not words.
  author TEXT NOT NULL,
  staff_id TEXT NOT NULL DEFAULT '',
  staff_name TEXT NOT NULL DEFAULT '',
  notice TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL DEFAULT '',
  -- JSON labels from the browser and from the edge, kept side by side.
  browser_labels TEXT NOT NULL DEFAULT '',
  edge_labels TEXT NOT NULL DEFAULT '',
  labels_agree INTEGER NOT NULL DEFAULT 1,
  -- Comma-separated kinds of personal data the edge redacted that the browser missed.
  pii_missed TEXT NOT NULL DEFAULT '',
  client_id TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (conversation_id, client_id)
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);

-- Staff corrections of a message's labels: training feedback for `touchpoint train`.
CREATE TABLE label_corrections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id TEXT NOT NULL,
  message_id INTEGER NOT NULL,
  staff_id TEXT NOT NULL,
  text TEXT NOT NULL,
  topic TEXT NOT NULL,
  sentiment TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX label_corrections_by_site ON label_corrections (site_id, id);

-- Webhook deliveries, with retries and a log of what happened.
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id TEXT NOT NULL,
  team_id TEXT NOT NULL,
  event TEXT NOT NULL,
  conversation_id TEXT NOT NULL DEFAULT '',
  url TEXT NOT NULL,
  body TEXT NOT NULL,
  -- 'pending', 'delivered' or 'failed' (gave up).
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_status INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  delivered_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
