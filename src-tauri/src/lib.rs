//! The Fynlo POS till app: a thin Tauri v2 shell over the shared command set (`fynlo-app`).
//!
//! It builds the window, opens the till database in the app's data folder (creating the demo restaurant
//! on first start in dev builds), forwards the UI's `execute` to [`fynlo_app::Till::execute`], and its
//! `sync` to the till's sync engine ([`fynlo_sync::handle`]). No business rule lives here.

mod logging;
mod state;

use fynlo_app::{AppError, Command, Reply};
use fynlo_sync::{SyncErrorBody, SyncReply, SyncRequest};
use tauri::{Manager, RunEvent};

use state::TillState;

/// Runs one command of the command set (docs/commands.md) and answers with its reply or
/// `{"code", "message"}`.
#[tauri::command]
async fn execute(state: tauri::State<'_, TillState>, command: Command) -> Result<Reply, AppError> {
    let name = command.name();
    let result = state.execute(command).await;
    if let Err(error) = &result {
        tracing::info!(command = name, code = error.code.as_str(), "refused: {}", error.message);
    }
    result
}

/// The sync with the cloud (docs/sync.md): its state, "sync now", pairing and unpairing, and the cloud's
/// notes on ops it refused. Answers `{code, message}` on failure.
#[tauri::command]
async fn sync(state: tauri::State<'_, TillState>, request: SyncRequest) -> Result<SyncReply, SyncErrorBody> {
    let result = fynlo_sync::handle(&state.sync, request).await;
    if let Err(error) = &result {
        tracing::info!(code = ?error.code, "sync: {}", error.message);
    }
    result.map_err(SyncErrorBody::from)
}

/// Builds and runs the app; on iPad this is the entry point Tauri mobile calls.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    // The keychain (Linux keyutils) needs a session keyring, joined before any thread starts.
    if let Err(error) = fynlo_sync::secrets::prepare_process() {
        eprintln!("Fynlo POS: {error}");
    }
    let app = tauri::Builder::default()
        .setup(|app| {
            let log_dir = app.path().app_log_dir()?;
            logging::init(&log_dir, cfg!(debug_assertions));
            let state = tauri::async_runtime::block_on(TillState::open(app.handle()))?;
            app.manage(state);
            state::spawn_saver(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![execute, sync])
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(error) => {
            eprintln!("Fynlo POS could not start: {error}");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        if let RunEvent::ExitRequested { .. } | RunEvent::Exit = event {
            // Orders still being built are saved before the till closes.
            if let Some(state) = handle.try_state::<TillState>() {
                state.stop_printing();
                state.stop_sync();
                tauri::async_runtime::block_on(state.save());
            }
        }
    });
}
