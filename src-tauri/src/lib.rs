//! The Fynlo POS till app: a thin Tauri v2 shell over the shared command set (`fynlo-app`).
//!
//! It builds the window, opens the till database in the app's data folder (creating the demo restaurant
//! on first start in dev builds), and forwards the UI's one command, `execute`, to
//! [`fynlo_app::Till::execute`]. No business rule lives here.

mod logging;
mod state;

use fynlo_app::{AppError, Command, Reply};
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

/// Builds and runs the app; on iPad this is the entry point Tauri mobile calls.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let app = tauri::Builder::default()
        .setup(|app| {
            let log_dir = app.path().app_log_dir()?;
            logging::init(&log_dir, cfg!(debug_assertions));
            let state = tauri::async_runtime::block_on(TillState::open(app.handle()))?;
            app.manage(state);
            state::spawn_saver(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![execute])
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
                tauri::async_runtime::block_on(state.save());
            }
        }
    });
}
