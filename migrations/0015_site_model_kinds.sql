-- Site models learn the kind of message (question, request, problem,
-- complaint, suggestion, praise) from a site's uploads too, as they already
-- do from staff corrections (label_corrections.kind): '' is no kind.
ALTER TABLE model_examples ADD COLUMN kind TEXT NOT NULL DEFAULT '';
