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
