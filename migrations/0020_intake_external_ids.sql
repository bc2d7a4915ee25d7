-- One conversation per external id and site: intake looked the id up and
-- then inserted, so the same e-mail delivered twice at once started two
-- conversations (both forwarded to every destination). With this index the
-- later insert fails and intake answers with the conversation that won.
-- Pairs started twice before it keep their first conversation's id; the
-- others get theirs suffixed with their own id, so the index can be built
-- and nothing is deleted.
UPDATE conversations SET external_id = external_id || '#' || id
WHERE external_id != '' AND id NOT IN (
  SELECT MIN(id) FROM conversations WHERE external_id != '' GROUP BY site_id, external_id
);
CREATE UNIQUE INDEX conversations_by_external_id ON conversations (site_id, external_id)
WHERE external_id != '';
