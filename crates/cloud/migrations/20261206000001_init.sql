-- The cloud's schema, for PostgreSQL and SQLite alike: ids are UUIDs as text, times are milliseconds
-- since the epoch, money is integer pence, in the SQL both understand, so one migration and one query
-- text serve both. (A change one of them needs alone would start a folder of its own for each.)

-- Values the server makes once and every instance shares (the token signing key).
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Restaurants (tenants). `feed_seq` is the last sequence number of the restaurant's feed: taking the
-- next one locks this row until the transaction ends, so the feed's rows commit in sequence order.
CREATE TABLE restaurants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    feed_seq BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'manager')),
    created_at BIGINT NOT NULL,
    -- Removed by the owner: no login, no token works. The row stays (what they did refers to it).
    removed_at BIGINT
);

-- One-time pairing codes, kept as SHA-256 hashes.
CREATE TABLE pairing_codes (
    code_hash TEXT PRIMARY KEY,
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    device_id TEXT
);

-- Tills. `last_seq` is the last op sequence number the cloud holds for the device (applied or
-- rejected): it changes in the same transaction as the ops' effects.
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    name TEXT NOT NULL,
    last_seq BIGINT NOT NULL DEFAULT 0,
    paired_at BIGINT NOT NULL,
    last_push_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX devices_restaurant ON devices (restaurant_id);

-- Refresh tokens, as SHA-256 hashes. Each refresh uses one and makes the next of its family; a used
-- one coming back means it was stolen, and revokes the family (and the device).
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('user', 'device')),
    subject_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- When the family's first token was made: a user's family ends 90 days after, whatever its use.
    family_started_at BIGINT NOT NULL,
    used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_subject ON refresh_tokens (subject_id);

-- Every op a device pushed, with the answer it got (a repeat gets the same answer).
CREATE TABLE ops (
    device_id TEXT NOT NULL REFERENCES devices (id),
    seq BIGINT NOT NULL,
    op_id TEXT NOT NULL,
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    op_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (device_id, seq)
);

-- Orders as the cloud holds them: the summary, and the canonical history.
CREATE TABLE orders (
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    number BIGINT NOT NULL,
    business_date TEXT NOT NULL,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    total BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    opened_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (restaurant_id, id)
);
CREATE INDEX orders_state ON orders (restaurant_id, state);

CREATE TABLE order_events (
    restaurant_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    device_id TEXT NOT NULL,
    staff TEXT NOT NULL,
    at BIGINT NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (restaurant_id, order_id, version),
    FOREIGN KEY (restaurant_id, order_id) REFERENCES orders (restaurant_id, id)
);

-- What the cloud knows of each till's copy of an order: the till's last version it sent, the cloud
-- version of the others' changes that copy is built on, and the till's line numbers the cloud gave
-- other numbers to (JSON pairs [till's, cloud's]) when two tills added lines at once.
CREATE TABLE order_devices (
    restaurant_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    local_version BIGINT NOT NULL,
    known_base BIGINT NOT NULL,
    renames TEXT NOT NULL,
    PRIMARY KEY (restaurant_id, order_id, device_id),
    FOREIGN KEY (restaurant_id, order_id) REFERENCES orders (restaurant_id, id)
);

-- The restaurant's menu versions, settings and staff as the cloud holds them. `source` says who made the
-- current copy: 'cloud' (published here; it wins over a till's) or a device id.
CREATE TABLE menus (
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    PRIMARY KEY (restaurant_id, version)
);

CREATE TABLE settings (
    restaurant_id TEXT PRIMARY KEY REFERENCES restaurants (id),
    data TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE staff (
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    id TEXT NOT NULL,
    record TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (restaurant_id, id)
);

-- The restaurant's feed: one row per change, numbered 1, 2, 3… per restaurant. Tills pull the rows with
-- a `kind` (menu, settings, staff, order) and get every row as a live event on the WebSocket.
CREATE TABLE feed (
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    seq BIGINT NOT NULL,
    topic TEXT NOT NULL,
    kind TEXT,
    device_id TEXT,
    payload TEXT NOT NULL,
    data TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (restaurant_id, seq)
);
