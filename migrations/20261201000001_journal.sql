-- The journal: every order's history and the outbox in one append-only table, one row per save, and the
-- tables that lists and reports read (orders, payments, refunds) kept from it.
--
-- Until now a sale wrote its order's 2.3 KB snapshot, a history row and an outbox row per event, its
-- payment row and the indexes of each in its durable commit: about 15 pages. Now a sale's durable commit is
-- one journal row, written by one statement; the summary tables are brought up to date from the journal
-- a batch at a time (`fynlo_store::project`), and an order is read back by replaying its journal rows
-- (`fynlo_core::order::Order::replay`), which is what the history always meant.
--
-- - journal: one row per op, keyed by this device's gapless outbox sequence number. An order's save is
--   one op, `order.saved`, whose payload is the array of its events, each with the order's version after
--   it, who made it and when. Settings, menu, staff and PIN ops keep their payloads. Never updated, never
--   deleted. Everything else in the database about orders can be rebuilt from it.
-- - orders: the summary the lists and reports filter on. No snapshot. WITHOUT ROWID on its id (a UUIDv7,
--   so new orders append), which saves the separate index a rowid table needs for its key.
-- - order_saves: which journal rows hold each order's history.
-- - projection: the last journal row applied to orders, order_saves, payments and refunds. Rows after it
--   are applied by the next batch; until then the store folds them in when it reads.
-- - order_events and outbox go: every row is carried into the journal first. An op keeps its sequence
--   number, op id and time; an order's op becomes an `order.saved` op holding its one event. No op has
--   left the till yet (the sync comes later), so none is rewritten that the cloud has seen.
--
-- The migration refuses a database whose history and outbox disagree (an order whose events are not all
-- in the journal, an op whose history row is missing): better a till that will not open than one that
-- replays an order wrongly.

PRAGMA defer_foreign_keys = ON;

CREATE TABLE journal (
    seq          INTEGER NOT NULL PRIMARY KEY CHECK (seq >= 1),
    op_id        TEXT    NOT NULL,
    op_type      TEXT    NOT NULL,
    order_id     TEXT,
    from_version INTEGER,
    to_version   INTEGER,
    payload      TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    CHECK ((order_id IS NULL AND from_version IS NULL AND to_version IS NULL)
        OR (order_id IS NOT NULL AND op_type = 'order.saved' AND from_version IS NOT NULL
            AND to_version IS NOT NULL AND from_version >= 1 AND to_version >= from_version))
);

-- Every old op, in sequence order. An order's op pointed at its history row (order_id, version) or, in
-- databases from before the payments work, carried the order id and version in its payload.
INSERT INTO journal (seq, op_id, op_type, order_id, from_version, to_version, payload, created_at)
SELECT o.seq, o.op_id,
       CASE WHEN e.order_id IS NULL THEN o.op_type ELSE 'order.saved' END,
       e.order_id, e.version, e.version,
       CASE WHEN e.order_id IS NULL THEN o.payload
            ELSE json_array(json_object('version', e.version, 'staff', e.staff_id, 'at', e.at,
                                        'event', json(e.payload))) END,
       o.created_at
FROM outbox o
LEFT JOIN order_events e
       ON e.order_id = COALESCE(o.order_id, CASE WHEN o.op_type LIKE 'order.%' THEN json_extract(o.payload, '$.order_id') END)
      AND e.version = COALESCE(o.version, CASE WHEN o.op_type LIKE 'order.%' THEN json_extract(o.payload, '$.version') END)
ORDER BY o.seq;

-- Refuse to go on if an order's op lost its history row, or a history row has no op.
CREATE TEMP TABLE journal_check (ok INTEGER NOT NULL CHECK (ok = 1));
INSERT INTO journal_check (ok)
SELECT (SELECT COUNT(*) FROM journal WHERE op_type LIKE 'order.%' AND op_type <> 'order.saved') = 0
   AND (SELECT COUNT(*) FROM journal WHERE order_id IS NOT NULL) = (SELECT COUNT(*) FROM order_events);
DROP TABLE journal_check;

-- Indexes for the migration's own lookups, dropped at its end: each order's journal rows, and each
-- order's payments and refunds (which dropping and refilling `orders` checks, its keys being deferred).
CREATE INDEX migration_journal_by_order ON journal (order_id, from_version);
CREATE INDEX migration_payments_by_order ON payments (order_id);
CREATE INDEX migration_refunds_by_order ON refunds (order_id);

CREATE TABLE orders_new (
    id            TEXT    NOT NULL PRIMARY KEY,
    device_id     TEXT    NOT NULL,
    number        INTEGER NOT NULL,
    business_date TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    table_name    TEXT,
    parked        INTEGER NOT NULL,
    currency      TEXT    NOT NULL,
    total         INTEGER NOT NULL,
    paid          INTEGER NOT NULL,
    opened_by     TEXT    NOT NULL,
    opened_at     INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL CHECK (version >= 1),
    UNIQUE (device_id, business_date, number)
) WITHOUT ROWID;

CREATE TEMP TABLE orders_kept AS
SELECT o.id, o.device_id, o.number, o.business_date, o.state, o.kind, o.table_name, o.parked, o.currency,
       o.total, o.paid, o.opened_by, o.opened_at, o.updated_at, o.version,
       h.events, h.versions, h.first, h.last
FROM orders o
LEFT JOIN (SELECT order_id, COUNT(*) AS events, COUNT(DISTINCT from_version) AS versions,
                  MIN(from_version) AS first, MAX(to_version) AS last
           FROM journal WHERE order_id IS NOT NULL GROUP BY order_id) h ON h.order_id = o.id;

-- Every order's history must be whole: its versions 1, 2, 3… up to the order's own, each once; and
-- every op must belong to an order.
CREATE TEMP TABLE orders_check (ok INTEGER NOT NULL CHECK (ok = 1));
INSERT INTO orders_check (ok)
SELECT COALESCE(events = version AND versions = version AND first = 1 AND last = version, 0) FROM orders_kept;
INSERT INTO orders_check (ok)
SELECT (SELECT COUNT(*) FROM journal WHERE order_id IS NOT NULL AND order_id NOT IN (SELECT id FROM orders)) = 0;
DROP TABLE orders_check;

-- Payments and refunds refer to orders; with the foreign keys deferred (above), the orders can be dropped
-- and put back under the same name, and the keys are checked when the migration commits.
DROP TABLE outbox;
DROP TABLE order_events;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
INSERT INTO orders (id, device_id, number, business_date, state, kind, table_name, parked, currency, total, paid,
                    opened_by, opened_at, updated_at, version)
SELECT id, device_id, number, business_date, state, kind, table_name, parked, currency, total, paid,
       opened_by, opened_at, updated_at, version
FROM orders_kept ORDER BY id;
DROP TABLE orders_kept;
DROP INDEX migration_payments_by_order;
DROP INDEX migration_refunds_by_order;

CREATE INDEX orders_open ON orders (opened_at, number) WHERE state NOT IN ('completed', 'cancelled');

-- The journal rows of each order's history, in order.
CREATE TABLE order_saves (
    order_id TEXT    NOT NULL REFERENCES orders (id),
    seq      INTEGER NOT NULL REFERENCES journal (seq),
    PRIMARY KEY (order_id, seq)
) WITHOUT ROWID;
INSERT INTO order_saves (order_id, seq) SELECT order_id, seq FROM journal WHERE order_id IS NOT NULL ORDER BY order_id, seq;
DROP INDEX migration_journal_by_order;

-- The last journal row applied to orders, order_saves, payments and refunds. One row.
CREATE TABLE projection (
    id  INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL CHECK (seq >= 0)
);
INSERT INTO projection (id, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM journal;

-- A new order's first save starts with its opening and must find no stored order with its id or its
-- number for the day. (Later saves are checked by the store against the version it knows, and orders
-- not yet applied to the summary tables by the store itself, from memory.)
CREATE TRIGGER journal_new_order_is_new BEFORE INSERT ON journal
WHEN NEW.order_id IS NOT NULL AND NEW.from_version = 1
BEGIN
    SELECT RAISE(ABORT, 'a new order''s history starts with its opening')
    WHERE NEW.payload ->> '$[0].event.type' IS NOT 'opened' OR NEW.payload ->> '$[0].event.id' IS NOT NEW.order_id;
    SELECT RAISE(ABORT, 'order version conflict') WHERE EXISTS (SELECT 1 FROM orders WHERE id = NEW.order_id);
    SELECT RAISE(ABORT, 'order number taken')
    WHERE EXISTS (SELECT 1 FROM orders
                  WHERE device_id = NEW.payload ->> '$[0].event.device'
                    AND business_date = NEW.payload ->> '$[0].event.business_date'
                    AND number = NEW.payload ->> '$[0].event.number');
END;
CREATE TRIGGER journal_append_only_u BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_append_only_d BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER order_saves_append_only_u BEFORE UPDATE ON order_saves
BEGIN SELECT RAISE(ABORT, 'an order''s history is append-only'); END;
CREATE TRIGGER order_saves_append_only_d BEFORE DELETE ON order_saves
BEGIN SELECT RAISE(ABORT, 'an order''s history is append-only'); END;
CREATE TRIGGER orders_never_deleted BEFORE DELETE ON orders
BEGIN SELECT RAISE(ABORT, 'orders are never deleted'); END;
-- An order's summary only moves forward.
CREATE TRIGGER orders_move_forward BEFORE UPDATE ON orders
WHEN NEW.version <= OLD.version OR NEW.id IS NOT OLD.id OR NEW.number IS NOT OLD.number
  OR NEW.business_date IS NOT OLD.business_date OR NEW.device_id IS NOT OLD.device_id
BEGIN SELECT RAISE(ABORT, 'an order''s summary only moves forward'); END;
CREATE TRIGGER projection_moves_forward BEFORE UPDATE ON projection WHEN NEW.seq < OLD.seq
BEGIN SELECT RAISE(ABORT, 'the projection only moves forward'); END;
