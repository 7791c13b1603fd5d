//! The real clock and id source the till runs with. Tests pass fixed ones instead.

use chrono::{Local, Utc};
use fynlo_core::time::{BusinessDate, Clock, IdSource, Timestamp};
use uuid::Uuid;

/// The system clock; the business date is the local calendar date of the machine.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(Utc::now().timestamp_millis())
    }

    fn business_date(&self) -> BusinessDate {
        let today = Local::now().date_naive().format("%Y-%m-%d").to_string();
        BusinessDate::parse(&today).expect("chrono formats a valid YYYY-MM-DD date")
    }
}

/// Time-ordered `UUIDv7` ids.
#[derive(Clone, Copy, Debug, Default)]
pub struct UuidV7;

impl IdSource for UuidV7 {
    fn new_id(&self) -> Uuid {
        Uuid::now_v7()
    }
}
