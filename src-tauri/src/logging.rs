//! Logs through `tracing` to a daily-rotated file in the app's log folder, and to stderr in dev builds.

use std::path::Path;

use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter, Layer};

/// Starts logging. `RUST_LOG` overrides the default level (`info`).
pub fn init(log_dir: &Path, to_stderr: bool) {
    let filter = || EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let file = match std::fs::create_dir_all(log_dir) {
        Ok(()) => {
            let appender = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("fynlo")
                .filename_suffix("log")
                .max_log_files(14)
                .build(log_dir)
                .ok();
            appender.map(|a| fmt::layer().with_ansi(false).with_writer(a).with_filter(filter()))
        }
        Err(_) => None,
    };
    let stderr = to_stderr.then(|| fmt::layer().with_writer(std::io::stderr).with_filter(filter()));
    // A second init (e.g. in tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry().with(file).with(stderr).try_init();
}
