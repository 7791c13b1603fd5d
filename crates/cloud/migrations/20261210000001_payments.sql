-- Pay by bank (docs/payments.md). A payment session: one per till payment attempt (the attempt id is
-- the idempotency key), made with a provider; its status follows the provider's, forward only.
CREATE TABLE payment_sessions (
    id TEXT PRIMARY KEY,
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    device_id TEXT NOT NULL REFERENCES devices (id),
    attempt_id TEXT NOT NULL,
    order_id TEXT,
    provider TEXT NOT NULL,
    provider_id TEXT,
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    failure TEXT,
    url TEXT,
    expires_at BIGINT NOT NULL,
    flagged_at BIGINT,
    checked_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (restaurant_id, attempt_id)
);
CREATE UNIQUE INDEX payment_sessions_by_provider ON payment_sessions (provider, provider_id);
CREATE INDEX payment_sessions_unfinished ON payment_sessions (status, checked_at);

-- Provider notifications already acted on, by the provider's event id: a replay changes nothing.
CREATE TABLE provider_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

-- The sandbox provider's own side (what a bank would hold): its payments and their status.
CREATE TABLE sandbox_payments (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    failure TEXT,
    settles TEXT NOT NULL DEFAULT 'yes',
    expires_at BIGINT NOT NULL,
    executed_at BIGINT,
    created_at BIGINT NOT NULL
);
