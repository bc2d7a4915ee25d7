-- Issue 20 and issue 13: a site's own bot rules and attribution choices.
-- record_automation: keep events from browsers driven by test automation
--   (the site's own tests); a setting, never a flag a page could send.
-- bot_patterns / allowed_agents: JSON arrays of user-agent substrings the
--   site ignores as bots / always keeps (its own monitoring).
-- search_terms: keep search words from referrers as the term (off: they can
--   be personal).
ALTER TABLE sites ADD COLUMN record_automation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN bot_patterns TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sites ADD COLUMN allowed_agents TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sites ADD COLUMN search_terms INTEGER NOT NULL DEFAULT 0;
