-- Fynlo POS local store, first schema.
-- Amounts are INTEGER minor units (pence); never REAL. Times are INTEGER milliseconds since the Unix epoch (UTC).
-- History tables are append-only: triggers refuse UPDATE and DELETE on them.

-- This till. Exactly one row, made when the database is created.
CREATE TABLE device (
    id          TEXT    NOT NULL PRIMARY KEY,
    singleton   INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
    created_at  INTEGER NOT NULL
);

-- The restaurant's settings (name, address, VAT number, service charge) as JSON. One row.
CREATE TABLE restaurant (
    id          INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    settings    TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Menu versions as the cloud (or `fynlo import-menu`) published them. The highest version is current.
CREATE TABLE menus (
    version     INTEGER NOT NULL PRIMARY KEY,
    data        TEXT    NOT NULL,
    imported_at INTEGER NOT NULL
);

-- Staff. PINs are stored only as argon2id PHC strings.
CREATE TABLE staff (
    id          TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('cashier', 'supervisor', 'manager', 'owner')),
    pin_hash    TEXT    NOT NULL CHECK (pin_hash LIKE '$argon2id$%'),
    active      INTEGER NOT NULL DEFAULT 1,
    updated_at  INTEGER NOT NULL
);

-- The current state of each order (a snapshot of its history) with the columns lists and reports filter on.
-- The next order number of a device and day is one more than the highest here (the unique key's index
-- answers it); a number is taken when its order is first saved.
CREATE TABLE orders (
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
    version       INTEGER NOT NULL,
    snapshot      TEXT    NOT NULL,
    UNIQUE (device_id, business_date, number)
);
-- Only orders still being worked on are in this index, so completing a sale adds nothing to it, and the
-- till finds its open orders without reading the finished ones.
CREATE INDEX orders_open ON orders (opened_at, number) WHERE state NOT IN ('completed', 'cancelled');

-- Every change to every order, in order. Never updated, never deleted. A rowid table, so that appending
-- rows fills its last page and adds new ones without rewriting their neighbours; the unique key is a
-- small index beside it.
CREATE TABLE order_events (
    order_id    TEXT    NOT NULL REFERENCES orders (id),
    version     INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    staff_id    TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    UNIQUE (order_id, version)
);

-- Payments, one row per attempt, kept up to date as the attempt moves on (the order's history has every
-- step). Only status 'succeeded' counts as paid. The fee is what the payment cost the restaurant.
-- No index of every payment by order: no query needs one, so a cash payment writes only this table
-- (it never enters payments_in_flight below).
CREATE TABLE payments (
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

-- The offline queue for the cloud: one row per state change, written in the same transaction as the change.
-- seq is this device's sequence number: it starts at 1 and has no gaps. A till's database holds the outbox
-- of its one device, so seq alone is the key, and it is the rowid, so appending rows rewrites no neighbours.
-- op_id is a UUIDv7 made on this device for each op (unique by construction: no index is kept for it; the
-- cloud deduplicates on it). An order's op does not copy its event: it points at its history row (order_id, version), and the
-- reader builds the payload from that row; every other op carries its payload.
CREATE TABLE outbox (
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

-- Wrong PINs typed at login, for lockout and audit.
CREATE TABLE pin_failures (
    id          INTEGER NOT NULL PRIMARY KEY,
    at          INTEGER NOT NULL
);

CREATE TRIGGER order_events_append_only_u BEFORE UPDATE ON order_events
BEGIN SELECT RAISE(ABORT, 'order history is append-only'); END;
CREATE TRIGGER order_events_append_only_d BEFORE DELETE ON order_events
BEGIN SELECT RAISE(ABORT, 'order history is append-only'); END;
CREATE TRIGGER orders_never_deleted BEFORE DELETE ON orders
BEGIN SELECT RAISE(ABORT, 'orders are never deleted'); END;
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
CREATE TRIGGER menus_append_only BEFORE DELETE ON menus
BEGIN SELECT RAISE(ABORT, 'menu versions are kept'); END;
