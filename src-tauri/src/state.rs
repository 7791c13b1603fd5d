//! The till held by the app: opened at start, shared with commands through `tauri::State`, and saved when
//! the till goes quiet or closes; and its sync engine, running beside it (`docs/sync.md`).

use std::{path::PathBuf, sync::Arc, time::Duration};

use fynlo_app::{
    clock::{SystemClock, UuidV7},
    payments::SimulatedProvider,
    setup::{self, SetupFile},
    AppError, Command, Reply, Services, Till,
};
use fynlo_sync::{pay::CloudPayments, SyncEngine, SyncOptions};
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::Mutex;

/// How long the till waits after a command before saving orders still being built.
const SAVE_AFTER: Duration = Duration::from_secs(2);

/// The till behind a lock: commands run one at a time, in the order they arrive.
pub struct TillState {
    till: Arc<Mutex<Till>>,
    /// Tells the print spooler to stop when the app closes.
    spooler_stop: tokio::sync::watch::Sender<bool>,
    /// The sync with the cloud: pushes what commands save, pulls what other tills and the cloud change.
    pub sync: SyncEngine,
    /// Tells the sync to stop when the app closes.
    sync_stop: tokio::sync::watch::Sender<bool>,
}

impl TillState {
    /// Opens the till database (`FYNLO_DB`, or `fynlo.db` in the app's data folder). When there is none,
    /// dev builds (and `FYNLO_DEMO=1`) create the demo restaurant; a release build without a database
    /// refuses to start, since pairing with the cloud comes later.
    pub async fn open(app: &AppHandle) -> Result<TillState, Box<dyn std::error::Error>> {
        let path = if let Some(path) = std::env::var_os("FYNLO_DB") {
            PathBuf::from(path)
        } else {
            let dir = app.path().app_data_dir()?;
            std::fs::create_dir_all(&dir)?;
            dir.join("fynlo.db")
        };
        let clock = Arc::new(SystemClock);
        let ids = Arc::new(UuidV7);
        let demo = cfg!(debug_assertions) || std::env::var("FYNLO_DEMO").is_ok_and(|v| v == "1");
        if !path.exists() {
            if !demo {
                return Err(format!("no till database at {}", path.display()).into());
            }
            tracing::info!(path = %path.display(), "creating the demo restaurant");
            let store = setup::init(&path, &SetupFile::demo_with_printer()?, clock.as_ref(), ids.as_ref()).await?;
            store.close().await?;
        }
        // Pay by bank goes through the cloud once the till is paired (`fynlo_sync::pay`); cards go to
        // Stripe when it is connected, else — with, in dev and demo builds, pay by bank on a till never
        // paired — to the simulator, which keeps its records beside the database. Opening resumes or
        // abandons any payment a previous run left waiting for its provider (pay by bank is asked again
        // once the sync runs, below).
        let simulator = Arc::new(SimulatedProvider::at(&SimulatedProvider::file_beside(&path)));
        // Cards go to Stripe when its settings are in the keychain (`fynlo cards connect-stripe`).
        let secrets = fynlo_sync::secrets::platform_or_unavailable();
        let device = fynlo_app::read::Reader::open(&path).await?.device();
        let mut bank = CloudPayments::new(fynlo_sync::pay::cards(secrets.as_ref(), &device, simulator));
        if demo {
            bank = bank.simulating_when_unpaired();
        }
        let till = Till::open(&path, Services::new(clock, ids, Arc::new(bank.clone()))).await?;
        for attempt in &till.recovered().attempts {
            tracing::warn!(
                order = attempt.order.as_str(),
                id = attempt.id.as_str(),
                kind = ?attempt.kind,
                status = attempt.status.as_str(),
                "recovered a {:?} left in flight: {}",
                attempt.kind,
                attempt.note
            );
        }
        tracing::info!(path = %path.display(), "till open");
        // The print spooler runs beside the commands, sharing the till's database: a command only writes
        // job rows (with its save); the spooler prints them, so a printer never holds up a sale.
        let (spooler_stop, stop) = tokio::sync::watch::channel(false);
        tauri::async_runtime::spawn(till.spooler().run(stop));
        let till = Arc::new(Mutex::new(till));
        // The sync runs beside the commands too: its credentials in the keychain (never a plain-text
        // fallback: a till whose keychain cannot be used says so and stays unpaired).
        let sync = SyncEngine::open(Arc::clone(&till), secrets, SyncOptions::default()).await?;
        bank.attach(&sync);
        let waiting = till
            .lock()
            .await
            .recovered()
            .attempts
            .iter()
            .any(|a| a.status.in_flight());
        if waiting {
            // What opening could not ask the cloud (the sync was not running yet), asked now.
            let till = Arc::clone(&till);
            tauri::async_runtime::spawn(async move {
                // As the system: nobody is logged in yet.
                if let Err(e) = till.lock().await.recover_in_flight().await {
                    tracing::warn!("payments left in flight: {}", e.message);
                }
            });
        }
        let (sync_stop, stopped) = tokio::sync::watch::channel(false);
        tauri::async_runtime::spawn(sync.clone().run(stopped));
        // The window hears the sync's status the moment it changes (`sync-status`): a pay-by-bank
        // payment the cloud says moved is on screen as soon as it is recorded, not at the next poll.
        let mut states = sync.subscribe();
        let window = app.clone();
        tauri::async_runtime::spawn(async move {
            while states.changed().await.is_ok() {
                let status = states.borrow_and_update().clone();
                if let Err(e) = window.emit("sync-status", &status) {
                    tracing::warn!("the sync's status did not reach the window: {e}");
                }
            }
        });
        pair_from_environment(&sync);
        Ok(TillState {
            till,
            spooler_stop,
            sync,
            sync_stop,
        })
    }

    /// Runs one command; a command that saved something wakes the sync (it never waits for it).
    pub async fn execute(&self, command: Command) -> Result<Reply, AppError> {
        let result = self.till.lock().await.execute(command).await;
        self.sync.wake();
        result
    }

    /// Stops the sync (what waits is pushed when the till next starts).
    pub fn stop_sync(&self) {
        let _ = self.sync_stop.send(true);
    }

    /// Stops the print spooler (jobs left waiting print when the till next starts).
    pub fn stop_printing(&self) {
        let _ = self.spooler_stop.send(true);
    }

    /// Saves every order with unsaved changes; a failure is logged, the changes stay to be saved later.
    pub async fn save(&self) {
        if let Err(error) = self.till.lock().await.save().await {
            tracing::error!(
                code = error.code.as_str(),
                "could not save open orders: {}",
                error.message
            );
        }
    }
}

/// Dev mode on a local cloud (`./dev tills`): `FYNLO_CLOUD_URL` and `FYNLO_PAIRING_CODE` pair an
/// unpaired till at start, named `FYNLO_TILL_NAME`. A till already paired ignores them.
fn pair_from_environment(sync: &SyncEngine) {
    let (Ok(url), Ok(code)) = (std::env::var("FYNLO_CLOUD_URL"), std::env::var("FYNLO_PAIRING_CODE")) else {
        return;
    };
    let name = std::env::var("FYNLO_TILL_NAME").unwrap_or_else(|_| "Till".into());
    let sync = sync.clone();
    tauri::async_runtime::spawn(async move {
        if sync.status().mode != fynlo_sync::SyncMode::Unpaired {
            return;
        }
        match sync.pair(&url, &code, &name).await {
            Ok(status) => tracing::info!(restaurant = ?status.restaurant_id, "paired with {url} as {name:?}"),
            Err(e) => tracing::error!(code = ?e.code, "pairing with {url} failed: {e}"),
        }
    });
}

/// Saves orders being built every couple of seconds, so a till that loses power mid-order loses at most
/// the last moments of typing.
pub fn spawn_saver(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(SAVE_AFTER).await;
            if let Some(state) = app.try_state::<TillState>() {
                state.save().await;
            }
        }
    });
}
