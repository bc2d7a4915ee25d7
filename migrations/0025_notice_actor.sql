-- Who made a system notice (assigned, unassigned, moved, closed, reopened):
-- the staff member's id, shown to staff ("Moved to another team by Ana");
-- never in what visitors read. Empty for notices stored before, and for
-- those nobody made (a visitor's message reopening a conversation).
ALTER TABLE messages ADD COLUMN actor_id TEXT NOT NULL DEFAULT '';
