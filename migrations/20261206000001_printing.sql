-- Printing (SPEC §6). The printers a till has are part of its settings (each change is also an outbox op,
-- `printers.updated`). Every print is a job: the jobs a save causes — the kitchen tickets of a send, the
-- receipt of a completed sale, the drawer kick of a cash payment — are written in the save's own journal
-- row (`journal.jobs`, a JSON array of `{"printer", "spec"}`), by the same statement, in the same durable
-- commit: a till killed right after a send still prints its tickets, and a retried save cannot add them
-- twice. (A column of the row the save writes anyway, rather than rows of another table, keeps the sale's
-- commit to the pages it wrote before.) `print_jobs` holds each job's state; the jobs of journal rows up
-- to `print_spool.seq` have their rows there — `(cause_seq, cause_no)` names the row and its place in it,
-- so making them twice is impossible.
--
-- A job's life: `pending` (waiting, or refused by the printer before any byte left: retried as it is)
-- → `sending` (recorded durably before the first byte goes) → `done` once the transport took every byte.
-- A job found `sending` by a new worker, or whose connection dropped part-way, is `uncertain`: it is
-- printed again under a "REPRINT - may be a duplicate" banner, never silently twice. `failed` is for a job
-- that can never print (its printer was removed); `cancelled` is a person's choice. Both are final.

ALTER TABLE journal ADD COLUMN jobs TEXT;

CREATE TABLE print_spool (
    id  INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL CHECK (seq >= 0)
);
INSERT INTO print_spool (id, seq) VALUES (1, (SELECT COALESCE(MAX(seq), 0) FROM journal));

CREATE TABLE printers (
    id         TEXT    NOT NULL PRIMARY KEY,
    config     TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE print_jobs (
    id         INTEGER NOT NULL PRIMARY KEY,
    cause_seq  INTEGER,
    cause_no   INTEGER,
    order_id   TEXT,
    printer    TEXT    NOT NULL,
    spec       TEXT    NOT NULL,
    state      TEXT    NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'sending', 'uncertain', 'done', 'failed', 'cancelled')),
    attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error TEXT,
    reprint    INTEGER NOT NULL DEFAULT 0 CHECK (reprint IN (0, 1)),
    not_before INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (cause_seq, cause_no)
);

-- The worker's question: what is waiting, per printer, oldest first.
CREATE INDEX print_jobs_waiting ON print_jobs (printer, id) WHERE state IN ('pending', 'sending', 'uncertain');

-- What was printed for an order (a reprint of a receipt is marked DUPLICATE).
CREATE INDEX print_jobs_order ON print_jobs (order_id) WHERE order_id IS NOT NULL;

-- A finished job never changes again.
CREATE TRIGGER print_jobs_final BEFORE UPDATE ON print_jobs
WHEN OLD.state IN ('done', 'failed', 'cancelled')
BEGIN
    SELECT RAISE(ABORT, 'print job is finished');
END;
