-- Shifts and the day's close (SPEC §7): drawer sessions, cash movements, Z reports, and the audit chain.
--
-- - drawer_sessions: one row per session of this till's cash drawer, numbered 1, 2, 3… Opened with a float
--   counted by denomination; closed with a count, the over/short and a note, and its Z report's number.
--   At most one is open. A closed session never changes (trigger), and none is ever deleted.
-- - cash_movements: pay-ins, pay-outs and no-sales, each in the open session, with who, who approved and
--   why. Never changed, never deleted, and never added to a closed session.
-- - z_reports: each Z report as it was produced (JSON), numbered 1, 2, 3… without gaps; stored unchanged.
-- - audit_log: the append-only audit chain. Each entry holds the SHA-256 of the one before it, so an
--   entry edited, removed or reordered breaks the chain (`fynlo audit verify`). Entries for settings,
--   staff, printer, drawer, login and PIN ops are written with their journal row, in its transaction;
--   entries for orders (voids, discounts, overrides, approvals, cancellations, refunds) are written when
--   the order's journal row is applied to the summary tables. `(journal_seq, item)` names what an entry
--   records, so applying a row twice cannot add its entries twice.
-- - orders_updated: the reports' window query (orders with anything after a moment) without a scan.

CREATE TABLE drawer_sessions (
    number        INTEGER NOT NULL PRIMARY KEY CHECK (number >= 1),
    business_date TEXT    NOT NULL,
    opened_at     INTEGER NOT NULL,
    opened_by     TEXT    NOT NULL,
    float_count   TEXT    NOT NULL,
    float         INTEGER NOT NULL CHECK (float >= 0),
    closed_at     INTEGER,
    closed_by     TEXT,
    counted_count TEXT,
    counted       INTEGER CHECK (counted IS NULL OR counted >= 0),
    expected      INTEGER,
    over_short    INTEGER,
    note          TEXT,
    z_number      INTEGER UNIQUE,
    CHECK ((closed_at IS NULL AND closed_by IS NULL AND counted IS NULL AND z_number IS NULL)
        OR (closed_at IS NOT NULL AND closed_by IS NOT NULL AND counted IS NOT NULL AND z_number IS NOT NULL))
);

-- At most one open session.
CREATE UNIQUE INDEX drawer_sessions_one_open ON drawer_sessions ((1)) WHERE closed_at IS NULL;

CREATE TRIGGER drawer_sessions_closed BEFORE UPDATE ON drawer_sessions
WHEN OLD.closed_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a closed drawer session never changes');
END;

CREATE TRIGGER drawer_sessions_kept BEFORE DELETE ON drawer_sessions
BEGIN
    SELECT RAISE(ABORT, 'drawer sessions are never deleted');
END;

CREATE TABLE cash_movements (
    id          INTEGER NOT NULL PRIMARY KEY,
    session     INTEGER NOT NULL REFERENCES drawer_sessions (number),
    kind        TEXT    NOT NULL CHECK (kind IN ('pay_in', 'pay_out', 'no_sale')),
    amount      INTEGER NOT NULL CHECK (amount >= 0),
    reason      TEXT    NOT NULL,
    staff_id    TEXT    NOT NULL,
    approved_by TEXT,
    at          INTEGER NOT NULL
);

CREATE INDEX cash_movements_session ON cash_movements (session);

CREATE TRIGGER cash_movements_open_session BEFORE INSERT ON cash_movements
WHEN (SELECT closed_at FROM drawer_sessions WHERE number = NEW.session) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'the drawer session is closed');
END;

CREATE TRIGGER cash_movements_no_update BEFORE UPDATE ON cash_movements
BEGIN
    SELECT RAISE(ABORT, 'cash movements never change');
END;

CREATE TRIGGER cash_movements_no_delete BEFORE DELETE ON cash_movements
BEGIN
    SELECT RAISE(ABORT, 'cash movements are never deleted');
END;

CREATE TABLE z_reports (
    number     INTEGER NOT NULL PRIMARY KEY CHECK (number >= 1),
    session    INTEGER NOT NULL UNIQUE REFERENCES drawer_sessions (number),
    report     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

-- Z numbers run 1, 2, 3… with no gap.
CREATE TRIGGER z_reports_in_sequence BEFORE INSERT ON z_reports
WHEN NEW.number <> COALESCE((SELECT MAX(number) FROM z_reports), 0) + 1
BEGIN
    SELECT RAISE(ABORT, 'Z numbers run in sequence');
END;

CREATE TRIGGER z_reports_no_update BEFORE UPDATE ON z_reports
BEGIN
    SELECT RAISE(ABORT, 'a Z report never changes');
END;

CREATE TRIGGER z_reports_no_delete BEFORE DELETE ON z_reports
BEGIN
    SELECT RAISE(ABORT, 'Z reports are never deleted');
END;

CREATE TABLE audit_log (
    no          INTEGER NOT NULL PRIMARY KEY CHECK (no >= 1),
    at          INTEGER NOT NULL,
    staff_id    TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    journal_seq INTEGER NOT NULL,
    item        INTEGER NOT NULL,
    detail      TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    UNIQUE (journal_seq, item)
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE INDEX orders_updated ON orders (updated_at);

-- Where the chain starts: ops journaled before this migration have no entries.
CREATE TABLE audit_start (
    id  INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
INSERT INTO audit_start (id, seq) VALUES (1, (SELECT COALESCE(MAX(seq), 0) FROM journal));

-- The time clock: each shift a member of staff works, from clock-in to clock-out, on the business day it
-- started, with its breaks (paid or unpaid). A manager's adjustment changes the times and records who
-- and why (and, through its op, what they were before) — never silently.
CREATE TABLE time_shifts (
    id            INTEGER NOT NULL PRIMARY KEY,
    staff_id      TEXT    NOT NULL,
    business_date TEXT    NOT NULL,
    clock_in      INTEGER NOT NULL,
    clock_out     INTEGER CHECK (clock_out IS NULL OR clock_out >= clock_in),
    adjusted_by   TEXT,
    adjust_reason TEXT,
    updated_at    INTEGER NOT NULL
);

-- At most one open shift per member of staff.
CREATE UNIQUE INDEX time_shifts_one_open ON time_shifts (staff_id) WHERE clock_out IS NULL;
CREATE INDEX time_shifts_by_day ON time_shifts (business_date);

CREATE TABLE time_breaks (
    id     INTEGER NOT NULL PRIMARY KEY,
    shift  INTEGER NOT NULL REFERENCES time_shifts (id),
    start  INTEGER NOT NULL,
    end    INTEGER CHECK (end IS NULL OR end >= start),
    paid   INTEGER NOT NULL CHECK (paid IN (0, 1))
);

CREATE INDEX time_breaks_shift ON time_breaks (shift);

CREATE TRIGGER time_shifts_kept BEFORE DELETE ON time_shifts
BEGIN
    SELECT RAISE(ABORT, 'time clock records are never deleted');
END;

CREATE TRIGGER time_breaks_kept BEFORE DELETE ON time_breaks
BEGIN
    SELECT RAISE(ABORT, 'time clock records are never deleted');
END;

-- Tips records (Employment (Allocation of Tips) Act 2023): what each worker was allocated from tips and
-- service charge for a period, the rule used, and when it was paid out. Kept at least three years: nothing
-- here is ever changed or deleted.
CREATE TABLE tips_records (
    id             INTEGER NOT NULL PRIMARY KEY,
    period_from    TEXT    NOT NULL,
    period_to      TEXT    NOT NULL,
    staff_id       TEXT    NOT NULL,
    staff_name     TEXT    NOT NULL,
    tips           INTEGER NOT NULL CHECK (tips >= 0),
    service_charge INTEGER NOT NULL CHECK (service_charge >= 0),
    minutes        INTEGER NOT NULL CHECK (minutes >= 0),
    rule           TEXT    NOT NULL,
    paid_on        TEXT    NOT NULL,
    recorded_by    TEXT    NOT NULL,
    recorded_at    INTEGER NOT NULL,
    UNIQUE (period_from, staff_id)
);

CREATE INDEX tips_records_staff ON tips_records (staff_id, period_from);

CREATE TRIGGER tips_records_no_update BEFORE UPDATE ON tips_records
BEGIN
    SELECT RAISE(ABORT, 'tips records never change');
END;

CREATE TRIGGER tips_records_no_delete BEFORE DELETE ON tips_records
BEGIN
    SELECT RAISE(ABORT, 'tips records are kept (at least three years): never deleted');
END;
