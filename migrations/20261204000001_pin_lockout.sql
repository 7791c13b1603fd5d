-- PIN lockout (SPEC §7): wrong PINs are counted per target — the member of staff a PIN was typed for,
-- or '*' for the till as a whole when a PIN typed without a name matched nobody — and lock PIN entry for
-- that target. Each wrong PIN also records who typed it, where, and for whom (never the PIN itself).

ALTER TABLE pin_failures ADD COLUMN screen TEXT;
ALTER TABLE pin_failures ADD COLUMN typed_by TEXT;
ALTER TABLE pin_failures ADD COLUMN target TEXT;

CREATE TABLE pin_lockouts (
    target       TEXT    NOT NULL PRIMARY KEY,
    failures     INTEGER NOT NULL CHECK (failures >= 0),
    locked_until INTEGER
) WITHOUT ROWID;
