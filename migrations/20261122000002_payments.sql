-- Payments (issue 4) and fewer pages per sale.
--
-- - payments: attempts with idempotency keys, tips, fees, split parts, provider references and notes,
--   kept up to date as they move on; refunds in a table of their own.
-- - order_events and outbox become rowid tables (appends no longer rewrite neighbouring pages); an order's
--   outbox row points at its history row instead of copying the event; op ids keep no index.
-- - The next order number comes from the orders' own unique index: order_numbers goes.
-- - orders_by_state (used by no query) becomes a partial index of open orders.
--
-- Tables are rebuilt the SQLite way (create, copy, drop, rename); every row is kept. Old outbox rows keep
-- their payloads; old payments were all cash, taken in one step, so their key is their id and their tip and
-- fee are zero.

DROP TABLE order_numbers;

DROP INDEX orders_by_state;
-- Only orders still being worked on are in this index, so completing a sale adds nothing to it, and the
-- till finds its open orders without reading the finished ones.
CREATE INDEX orders_open ON orders (opened_at, number) WHERE state NOT IN ('completed', 'cancelled');

-- Every change to every order, in order. Never updated, never deleted. A rowid table, so that appending
-- rows fills its last page and adds new ones without rewriting their neighbours; the unique key is a
-- small index beside it.
CREATE TABLE order_events_new (
    order_id    TEXT    NOT NULL REFERENCES orders (id),
    version     INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    staff_id    TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    UNIQUE (order_id, version)
);
INSERT INTO order_events_new (order_id, version, type, payload, staff_id, at)
    SELECT order_id, version, type, payload, staff_id, at FROM order_events ORDER BY order_id, version;
DROP TABLE order_events;
ALTER TABLE order_events_new RENAME TO order_events;

-- The offline queue for the cloud: one row per state change, written in the same transaction as the change.
-- seq is this device's sequence number: it starts at 1 and has no gaps. A till's database holds the outbox
-- of its one device, so seq alone is the key, and it is the rowid, so appending rows rewrites no neighbours.
-- op_id is a UUIDv7 made on this device for each op (unique by construction: no index is kept for it; the
-- cloud deduplicates on it). An order's op does not copy its event: it points at its history row (order_id, version), and the
-- reader builds the payload from that row; every other op carries its payload.
CREATE TABLE outbox_new (
    seq         INTEGER NOT NULL PRIMARY KEY CHECK (seq >= 1),
    device_id   TEXT    NOT NULL,
    op_id       TEXT    NOT NULL,
    op_type     TEXT    NOT NULL,
    payload     TEXT,
    order_id    TEXT,
    version     INTEGER,
    created_at  INTEGER NOT NULL,
    FOREIGN KEY (order_id, version) REFERENCES order_events (order_id, version),
    CHECK ((payload IS NOT NULL AND order_id IS NULL AND version IS NULL)
        OR (payload IS NULL AND order_id IS NOT NULL AND version IS NOT NULL))
);
INSERT INTO outbox_new (seq, device_id, op_id, op_type, payload, created_at)
    SELECT seq, device_id, op_id, op_type, payload, created_at FROM outbox ORDER BY seq;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

-- Payments, one row per attempt, kept up to date as the attempt moves on (the order's history has every
-- step). Only status 'succeeded' counts as paid. The fee is what the payment cost the restaurant.
-- No index of every payment by order: no query needs one, so a cash payment writes only this table
-- (it never enters payments_in_flight below).
CREATE TABLE payments_new (
    id              TEXT    NOT NULL PRIMARY KEY,
    order_id        TEXT    NOT NULL REFERENCES orders (id),
    idempotency_key TEXT    NOT NULL,
    tender          TEXT    NOT NULL CHECK (tender IN ('cash', 'card', 'pay_by_bank')),
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'authorized', 'succeeded', 'failed', 'cancelled')),
    amount          INTEGER NOT NULL CHECK (amount > 0),
    tip             INTEGER NOT NULL CHECK (tip >= 0),
    tendered        INTEGER NOT NULL,
    change          INTEGER NOT NULL CHECK (change >= 0),
    fee_processing  INTEGER NOT NULL,
    fee_platform    INTEGER NOT NULL,
    split_seq       INTEGER,
    split_part      INTEGER,
    provider_ref    TEXT,
    note            TEXT,
    staff_id        TEXT    NOT NULL,
    at              INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO payments_new (id, order_id, idempotency_key, tender, status, amount, tip, tendered, change,
        fee_processing, fee_platform, split_seq, split_part, provider_ref, note, staff_id, at, updated_at)
    SELECT id, order_id, id, tender, status, amount, 0, tendered, change, 0, 0, NULL, NULL, NULL, NULL, staff_id, at, at
    FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
-- Attempts waiting for their provider, looked for at every start (recovery); cash never enters it.
CREATE INDEX payments_in_flight ON payments (order_id) WHERE status IN ('pending', 'authorized');

-- Refunds, one row per refund, kept up to date like payments. Always with a reason and an approver.
CREATE TABLE refunds (
    id              TEXT    NOT NULL PRIMARY KEY,
    order_id        TEXT    NOT NULL REFERENCES orders (id),
    payment_id      TEXT    NOT NULL REFERENCES payments (id),
    idempotency_key TEXT    NOT NULL,
    tender          TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'authorized', 'succeeded', 'failed', 'cancelled')),
    amount          INTEGER NOT NULL CHECK (amount > 0),
    reason          TEXT    NOT NULL CHECK (length(reason) > 0),
    provider_ref    TEXT,
    staff_id        TEXT    NOT NULL,
    approved_by     TEXT    NOT NULL,
    at              INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX refunds_in_flight ON refunds (order_id) WHERE status IN ('pending', 'authorized');

CREATE TRIGGER order_events_append_only_u BEFORE UPDATE ON order_events
BEGIN SELECT RAISE(ABORT, 'order history is append-only'); END;
CREATE TRIGGER order_events_append_only_d BEFORE DELETE ON order_events
BEGIN SELECT RAISE(ABORT, 'order history is append-only'); END;
CREATE TRIGGER payments_never_deleted BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments are never deleted'); END;
CREATE TRIGGER payments_facts_fixed BEFORE UPDATE OF id, order_id, idempotency_key, tender, amount, tip, staff_id, at ON payments
BEGIN SELECT RAISE(ABORT, 'a payment''s amount, tender and key never change'); END;
CREATE TRIGGER refunds_never_deleted BEFORE DELETE ON refunds
BEGIN SELECT RAISE(ABORT, 'refunds are never deleted'); END;
CREATE TRIGGER refunds_facts_fixed BEFORE UPDATE OF id, order_id, payment_id, idempotency_key, amount, reason, approved_by ON refunds
BEGIN SELECT RAISE(ABORT, 'a refund''s amount, reason and approver never change'); END;
CREATE TRIGGER outbox_append_only_d BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'the outbox is append-only'); END;
CREATE TRIGGER outbox_append_only_u BEFORE UPDATE OF seq, op_id, op_type, payload, order_id, version ON outbox
BEGIN SELECT RAISE(ABORT, 'the outbox is append-only'); END;
