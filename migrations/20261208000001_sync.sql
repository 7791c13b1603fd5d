-- The till's side of the sync with the cloud (docs/sync.md).
--
-- - sync_state: one row. How far the cloud has this till's journal (`pushed_through`: every op at or
--   below it was acknowledged — applied, a duplicate, in part or rejected), where the next pull starts
--   (`pull_cursor`, NULL before the first: a snapshot), the last live event seen, and when each last
--   worked. The journal itself is the outbox: nothing is ever deleted from it, acknowledged or not.
-- - sync_pairing: the cloud this till is paired with (its address, the restaurant, the till's name).
--   Its tokens are not here: they live in the operating system's keychain.
-- - sync_notes: what the cloud answered for ops it did not apply whole (rejected, or applied in part),
--   kept for the sync screen.
-- - remote_orders: orders owned by other tills, as the cloud's history has them (JSON entries
--   {version, staff, at, event}), for the open orders list.

CREATE TABLE sync_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    pushed_through INTEGER NOT NULL DEFAULT 0 CHECK (pushed_through >= 0),
    pull_cursor    TEXT,
    event_seq      INTEGER NOT NULL DEFAULT 0 CHECK (event_seq >= 0),
    last_push_at   INTEGER,
    last_pull_at   INTEGER,
    -- The restaurant this till's ops went to (kept after unpairing: they cannot go to another).
    restaurant_id  TEXT
);
INSERT INTO sync_state (id) VALUES (1);

-- The cloud's cursor over this till's ops only moves forward.
CREATE TRIGGER sync_pushed_moves_forward BEFORE UPDATE OF pushed_through ON sync_state
WHEN NEW.pushed_through < OLD.pushed_through
BEGIN SELECT RAISE(ABORT, 'the push cursor only moves forward'); END;

CREATE TABLE sync_pairing (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    cloud_url     TEXT    NOT NULL,
    restaurant_id TEXT    NOT NULL,
    device_name   TEXT    NOT NULL,
    paired_at     INTEGER NOT NULL,
    revoked       INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);

CREATE TABLE sync_notes (
    seq      INTEGER PRIMARY KEY REFERENCES journal (seq),
    op_id    TEXT    NOT NULL,
    op_type  TEXT    NOT NULL,
    outcome  TEXT    NOT NULL CHECK (outcome IN ('rejected', 'partial')),
    code     TEXT    NOT NULL,
    message  TEXT    NOT NULL,
    at       INTEGER NOT NULL
);

CREATE TABLE remote_orders (
    id            TEXT    PRIMARY KEY,
    owner         TEXT    NOT NULL,
    version       INTEGER NOT NULL CHECK (version >= 1),
    history       TEXT    NOT NULL,
    open          INTEGER NOT NULL CHECK (open IN (0, 1)),
    updated_at    INTEGER NOT NULL
);
CREATE INDEX remote_orders_open ON remote_orders (open) WHERE open = 1;
