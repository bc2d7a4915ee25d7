-- A conversation's deliveries to a destination go in order: before an
-- attempt the worker looks for an earlier delivery of the same destination
-- and conversation still pending (a retry ahead of it), in insertion order
-- (rowid, the index's last column).
CREATE INDEX destination_deliveries_pending ON destination_deliveries (destination_id, status);
