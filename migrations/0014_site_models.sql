-- Site models (issue 15, part 4): labelled examples a site uploads through
-- the operator API, and the model the worker fine-tuned from the default one
-- on them and on the site's label corrections. The model is a blob in D1
-- (about 115 KB, under D1's 2 MB value limit): it is read with its metadata
-- in one query and needs no other binding.
CREATE TABLE model_examples (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id TEXT NOT NULL,
  -- Redacted as a visitor's message is before it is stored.
  text TEXT NOT NULL,
  topic TEXT NOT NULL DEFAULT '',
  sentiment TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX model_examples_by_site ON model_examples (site_id, id);

CREATE TABLE site_models (
  site_id TEXT PRIMARY KEY,
  -- The TPCM file served at /v1/sites/{site}/model.
  model BLOB NOT NULL,
  -- Its FNV-1a checksum in hex (the file's last four bytes): the ETag.
  checksum TEXT NOT NULL,
  -- The newest example and correction ids it was trained from, so the
  -- scheduled job trains again only when there is something new.
  last_example_id INTEGER NOT NULL,
  last_correction_id INTEGER NOT NULL,
  -- What the operator API and the console show, as JSON (the `model` of
  -- SiteModelStatus in openapi.json): when, on how many corrections and
  -- examples, and the held-out accuracy of this model and the default one.
  report TEXT NOT NULL
) WITHOUT ROWID;
