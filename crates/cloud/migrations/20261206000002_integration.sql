-- The integration endpoints (seed 004): API keys, gift cards, loyalty, daily reports. For PostgreSQL
-- and SQLite alike (see the first migration).

-- Keys for other systems (a website, an ordering platform), kept as SHA-256 hashes.
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE gift_cards (
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    code TEXT NOT NULL,
    balance BIGINT NOT NULL CHECK (balance >= 0),
    currency TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (restaurant_id, code)
);

CREATE TABLE loyalty (
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    phone TEXT NOT NULL,
    points BIGINT NOT NULL CHECK (points >= 0),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (restaurant_id, phone)
);

-- Every balance change, by the caller's request id: a request sent again gets the answer it got then.
CREATE TABLE balance_changes (
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    request_id TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    amount BIGINT NOT NULL,
    balance_after BIGINT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (restaurant_id, request_id)
);

-- Daily reports (the `pos_daily_reports` fields), one per business day; a day sent again replaces it.
CREATE TABLE daily_reports (
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    business_date TEXT NOT NULL,
    report TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (restaurant_id, business_date)
);
