-- A new order's first save is checked without reading its JSON.
--
-- The trigger `journal_new_order_is_new` read the opening event out of the payload with five JSON
-- lookups; parsing a sale's 2–3 KB payload for them cost about 10–15 µs of a sale's durable commit (a
-- twelfth of it). What it checked is now checked where the facts are at hand, without parsing:
--
-- - the id is not a stored order's: still this trigger, on the `order_id` column;
-- - the order number for the day is free: the store's save inserts the journal row only when no stored
--   order has the device, day and number of the order it opens (bound values, one index lookup), and
--   says `NumberTaken` when none was inserted; saves not yet applied to the summary tables are checked
--   from memory, as before;
-- - the first event is the opening of that order: the store checks the events it encodes.
--
-- The file lock (one writer per database file) is what keeps a second writer out; these checks catch a
-- bug in the till itself before it reaches the journal.

DROP TRIGGER journal_new_order_is_new;

CREATE TRIGGER journal_new_order_is_new BEFORE INSERT ON journal
WHEN NEW.order_id IS NOT NULL AND NEW.from_version = 1
BEGIN
    SELECT RAISE(ABORT, 'order version conflict') WHERE EXISTS (SELECT 1 FROM orders WHERE id = NEW.order_id);
END;
