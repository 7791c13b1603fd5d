//! `fynlo-cloud`: the cloud server's binary. With no arguments it serves on 127.0.0.1:8787 from a
//! SQLite file `fynlo-cloud.db`; `--config FILE` reads a TOML file, and `FYNLO_CLOUD_*` variables
//! override either (docs/cloud.md). SIGINT or SIGTERM stop it gracefully.

use std::{path::PathBuf, process::ExitCode, time::Duration};

use fynlo_cloud::{Config, Server};

fn usage() -> ExitCode {
    eprintln!("usage: fynlo-cloud [--config FILE]\n\nSettings and environment variables: docs/cloud.md.");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = match args.as_slice() {
        [] => None,
        [flag, path] if flag == "--config" => Some(PathBuf::from(path)),
        _ => return usage(),
    };
    let config = match Config::load(file.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("fynlo-cloud: {e}");
            return ExitCode::from(2);
        }
    };
    let mut server = match Server::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fynlo-cloud: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("fynlo-cloud listening on http://{}", server.addr);
    let stopper = server.stopper();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("stopping: finishing requests in flight");
        let _ = stopper.send(true);
    });
    match tokio::time::timeout(Duration::from_secs(60 * 60 * 24 * 365 * 100), server.wait()).await {
        Ok(Ok(())) | Err(_) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("fynlo-cloud: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
