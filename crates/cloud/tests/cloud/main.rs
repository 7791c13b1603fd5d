//! The cloud server tested from outside, over real HTTP and WebSockets on loopback. Every contract test
//! runs twice: on a SQLite file and on a PostgreSQL database of its own (`both!`).

#![allow(clippy::too_many_lines, reason = "each test walks one scenario end to end")]
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "the counts a test casts are small ones it made itself; a wrap would be a test bug"
)]
#![allow(clippy::assigning_clones, reason = "cursors are short strings read once per page")]

mod accounts;
mod faults;
mod hub;
mod integration;
mod isolation;
mod payments;
mod support;
mod sync;
mod truelayer;

/// Runs each named `async fn(Backend)` as two tests: `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::Backend::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::support::Backend::Postgres).await;
                }
            }
        )*
    };
}
