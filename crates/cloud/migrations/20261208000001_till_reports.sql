-- Each till's daily report, as its Z sent it (the `daily` field of its `drawer.session_closed` op):
-- one per till and Z number. `daily_reports` stays the restaurant's own, sent through the integration
-- endpoint.
CREATE TABLE till_daily_reports (
    restaurant_id TEXT NOT NULL REFERENCES restaurants (id),
    device_id TEXT NOT NULL REFERENCES devices (id),
    z_number BIGINT NOT NULL,
    business_date TEXT NOT NULL,
    report TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (restaurant_id, device_id, z_number)
);
CREATE INDEX till_daily_reports_by_date ON till_daily_reports (restaurant_id, business_date);
