-- Events a visitor's browser reported it had to drop (the recorder keeps a
-- bounded queue: offline too long, storage full, a page closed mid-send).
-- Batches carried the count and the worker only echoed it; now it is kept
-- per site and UTC day, so the console can say how much was lost.
CREATE TABLE dropped_events (
  site_id TEXT NOT NULL,
  day TEXT NOT NULL,
  dropped INTEGER NOT NULL,
  PRIMARY KEY (site_id, day)
) WITHOUT ROWID;
