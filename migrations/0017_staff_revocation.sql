-- Staff accounts can be revoked (DELETE /v1/admin/sites/{site}/staff/{id}):
-- the token hash is cleared, so no token signs in, and the time is kept so
-- the account list says when. The row stays: messages name their author.
ALTER TABLE staff ADD COLUMN revoked_at INTEGER NOT NULL DEFAULT 0;
