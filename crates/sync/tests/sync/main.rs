//! The till's sync tested against the real cloud server (`fynlo-cloud`, started in the test on a free
//! loopback port) with real tills (the command set on real SQLite files). Each scenario runs on a
//! SQLite cloud and on a PostgreSQL one of its own (`both!`).

#![allow(clippy::too_many_lines, reason = "each test walks one scenario end to end")]
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "the counts a test casts are small ones it made itself"
)]

/// The cloud's own test fixtures: its databases, a server, an HTTP client.
#[path = "../../../cloud/tests/cloud/support.rs"]
#[allow(dead_code, reason = "the cloud's fixtures; these tests use some of them")]
mod cloud;
mod pay;
mod proxy;
mod support;
mod tills;

/// Runs each named `async fn(Backend)` as two tests: `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::cloud::Backend::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::cloud::Backend::Postgres).await;
                }
            }
        )*
    };
}
