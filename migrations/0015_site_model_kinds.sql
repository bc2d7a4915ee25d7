-- Site models learn the kind of message (question, request, problem,
-- complaint, suggestion, praise) from a site's uploads too, as they already
-- do from staff corrections (label_corrections.kind): '' is no kind.
ALTER TABLE model_examples ADD COLUMN kind TEXT NOT NULL DEFAULT '';
-- Site models trained before this learned nothing from staff's kind
-- corrections: those sites are due again (the scheduled job trains a site
-- whose newest correction id is above its model's; -1 keeps its meaning,
-- "retrain or remove after an erasure").
UPDATE site_models SET last_correction_id = 0
 WHERE last_correction_id > 0
   AND site_id IN (SELECT site_id FROM label_corrections WHERE kind != '');
