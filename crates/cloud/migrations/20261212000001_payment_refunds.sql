-- Refunds of pay-by-bank payments (docs/payments.md): one per till refund (its idempotency key names
-- it), sent back through the payment's provider.
CREATE TABLE payment_refunds (
    id TEXT PRIMARY KEY,
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    session_id TEXT NOT NULL REFERENCES payment_sessions (id),
    refund_key TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    provider_id TEXT,
    status TEXT NOT NULL,
    failure TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (restaurant_id, refund_key)
);
CREATE INDEX payment_refunds_of_session ON payment_refunds (session_id);

-- The sandbox bank's refunds (what a bank would hold).
CREATE TABLE sandbox_refunds (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES sandbox_payments (id),
    reference TEXT NOT NULL UNIQUE,
    amount BIGINT NOT NULL CHECK (amount > 0),
    created_at BIGINT NOT NULL
);
