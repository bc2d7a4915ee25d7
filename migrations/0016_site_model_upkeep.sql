-- A site whose examples and corrections teach nothing yet (too few, or all
-- held out) is remembered with the newest ids it was tried with, so the
-- scheduled job, which tries the due sites a few at a time, moves on to the
-- others instead of trying the same ones every minute; the site is due again
-- once it gets a newer example or correction.
CREATE TABLE site_model_untrainable (
  site_id TEXT PRIMARY KEY,
  last_example_id INTEGER NOT NULL,
  last_correction_id INTEGER NOT NULL,
  tried_at INTEGER NOT NULL
) WITHOUT ROWID;

-- An upload stores an example only when the site has no identical one (the
-- same text and labels): uploading a file twice changes nothing. This index
-- keeps that check a lookup.
CREATE INDEX model_examples_by_text ON model_examples (site_id, text);
