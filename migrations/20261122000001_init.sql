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

-- The last order number given out per device and business day.
CREATE TABLE order_numbers (
    device_id     TEXT    NOT NULL,
    business_date TEXT    NOT NULL,
    last_number   INTEGER NOT NULL,
    PRIMARY KEY (device_id, business_date)
) WITHOUT ROWID;

-- The current state of each order (a snapshot of its history) with the columns lists and reports filter on.
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
CREATE INDEX orders_by_state ON orders (state, updated_at);

-- Every change to every order, in order. Never updated, never deleted.
CREATE TABLE order_events (
    order_id    TEXT    NOT NULL REFERENCES orders (id),
    version     INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    staff_id    TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (order_id, version)
) WITHOUT ROWID;

-- Payments, one row per attempt. Only status 'succeeded' counts as paid.
CREATE TABLE payments (
    id          TEXT    NOT NULL PRIMARY KEY,
    order_id    TEXT    NOT NULL REFERENCES orders (id),
    tender      TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    amount      INTEGER NOT NULL,
    tendered    INTEGER NOT NULL,
    change      INTEGER NOT NULL,
    staff_id    TEXT    NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX payments_by_order ON payments (order_id);

-- The offline queue for the cloud: one row per state change, written in the same transaction as the change.
-- seq is per device, starts at 1 and has no gaps.
CREATE TABLE outbox (
    device_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    op_id       TEXT    NOT NULL UNIQUE,
    op_type     TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;

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
CREATE TRIGGER outbox_append_only_d BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'the outbox is append-only'); END;
CREATE TRIGGER outbox_append_only_u BEFORE UPDATE OF seq, op_id, op_type, payload ON outbox
BEGIN SELECT RAISE(ABORT, 'the outbox is append-only'); END;
CREATE TRIGGER menus_append_only BEFORE DELETE ON menus
BEGIN SELECT RAISE(ABORT, 'menu versions are kept'); END;
