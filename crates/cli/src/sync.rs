//! `fynlo pair`, `fynlo unpair` and `fynlo sync`: the till's sync with the cloud from the command line
//! (`docs/sync.md`). Credentials go to the operating system's keychain, as in the app.

use std::{path::Path, sync::Arc, time::Duration};

use anyhow::{bail, Result};
use fynlo_app::{session::request::Login, Command, Till};
use fynlo_sync::{handle, SyncEngine, SyncOptions, SyncReply, SyncRequest};
use tokio::sync::Mutex;

/// The engine of the till at `db`, with the platform's keychain. A batch size can be set with
/// `FYNLO_SYNC_BATCH` (tests push in small batches to cut them often).
async fn engine(db: &Path, live: bool) -> Result<SyncEngine> {
    let till = Till::open(db, crate::services(db).await?).await?;
    let batch = std::env::var("FYNLO_SYNC_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let options = SyncOptions {
        batch,
        live,
        ..SyncOptions::default()
    };
    Ok(SyncEngine::open(
        Arc::new(Mutex::new(till)),
        fynlo_sync::secrets::platform_or_unavailable(),
        options,
    )
    .await?)
}

/// Runs one request and prints its reply as JSON; a refusal is an error with its code.
async fn run(engine: &SyncEngine, request: SyncRequest) -> Result<SyncReply> {
    match handle(engine, request).await {
        Ok(reply) => {
            println!("{}", serde_json::to_string(&reply)?);
            Ok(reply)
        }
        Err(e) => bail!(
            "{}: {}",
            serde_json::to_value(e.code)?.as_str().unwrap_or("error"),
            e.message
        ),
    }
}

/// `fynlo pair`.
pub async fn pair(db: &Path, cloud: &str, code: &str, name: &str) -> Result<()> {
    let engine = engine(db, false).await?;
    run(
        &engine,
        SyncRequest::Pair {
            cloud_url: cloud.into(),
            code: code.into(),
            name: name.into(),
        },
    )
    .await?;
    Ok(())
}

/// `fynlo unpair`: the PIN logs its member in, and their role must hold the `settings` permission.
pub async fn unpair(db: &Path, pin: String) -> Result<()> {
    let engine = engine(db, false).await?;
    let login = Command::Login(Login { pin, staff: None });
    if let Err(e) = engine.till().lock().await.execute(login).await {
        bail!("{}: {}", e.code.as_str(), e.message);
    }
    run(&engine, SyncRequest::Unpair { approval: None }).await?;
    Ok(())
}

/// `fynlo sync`: one round (push, pull) and the state after it; `--status` only reads the state;
/// `--notes` lists what the cloud refused; `--watch` keeps syncing (with the live WebSocket) until
/// interrupted.
pub async fn sync(db: &Path, status: bool, notes: bool, watch: bool) -> Result<()> {
    let engine = engine(db, watch).await?;
    if status {
        run(&engine, SyncRequest::Status).await?;
        return Ok(());
    }
    if notes {
        run(&engine, SyncRequest::Notes { limit: Some(500) }).await?;
        return Ok(());
    }
    if !watch {
        run(&engine, SyncRequest::SyncNow).await?;
        return Ok(());
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut states = engine.subscribe();
    let task = tokio::spawn(engine.clone().run(stopped));
    engine.wake();
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            changed = states.changed() => {
                if changed.is_err() { break; }
                let status = states.borrow_and_update().clone();
                println!("{}", serde_json::to_string(&status)?);
            }
        }
    }
    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    Ok(())
}
