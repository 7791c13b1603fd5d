//! The sync engine: a background task beside the till's commands. It pushes the journal's ops the
//! cloud has not answered yet, in sequence order and in batches, records each answer with its cursor in
//! one transaction, then pulls the cloud's changes from its cursor and applies them through the till.
//! A round runs when a command saved something ([`SyncEngine::wake`]), when the WebSocket says there is
//! something new, on a timer, and on "sync now"; failures back off 1, 2, 4, 8, 16, 30 s with ±20 %
//! jitter. Nothing here runs on a command's path: a sale never waits for the network.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use fynlo_app::{cloud::CloudApplied, error::ErrorCode as ErrorCodeApp, Till};
use fynlo_core::ids::OrderId;
use fynlo_protocol::{
    payments::{NewPaymentRefund, NewPaymentSession, PaymentRefund, PaymentSession},
    ErrorCode, Op, Outcome, PushRequest,
};
use fynlo_store::{Pairing, RemoteApplied, Store, SyncNote};
use serde::Serialize;
use tokio::sync::{broadcast, watch, Mutex, Notify};

use crate::{
    auth::{refused_for_good, Auth},
    client::Cloud,
    error::{Result, SyncCode, SyncError},
    secrets::Secrets,
};

/// How the engine runs.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// Ops per push (at most `fynlo_protocol::MAX_BATCH`).
    pub batch: usize,
    /// Changes per pull page.
    pub page: usize,
    /// How often a round runs with nothing else to wake it.
    pub interval: Duration,
    /// The unit of the reconnect and retry backoff (1 s: 1, 2, 4, 8, 16, 30 s).
    pub backoff_unit: Duration,
    /// Whether to keep a WebSocket to the hub for live events.
    pub live: bool,
}

impl Default for SyncOptions {
    fn default() -> SyncOptions {
        SyncOptions {
            batch: fynlo_protocol::MAX_BATCH,
            page: 500,
            interval: Duration::from_secs(30),
            backoff_unit: Duration::from_secs(1),
            live: true,
        }
    }
}

/// Where the sync stands, as the UI shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SyncMode"))]
pub enum SyncMode {
    /// Not paired with a cloud: the till works alone.
    Unpaired,
    /// The cloud no longer accepts this till: pair it again (it keeps selling meanwhile).
    Revoked,
    /// The last round reached the cloud.
    Online,
    /// The last round could not reach the cloud (ops wait in the journal).
    Offline,
}

/// The sync's state for the UI and the CLI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncStatus {
    /// Online, offline, unpaired or revoked.
    pub mode: SyncMode,
    /// This till's device id.
    pub device_id: String,
    /// The cloud's address, when paired.
    pub cloud_url: Option<String>,
    /// The restaurant, when paired.
    pub restaurant_id: Option<String>,
    /// The till's name in the cloud.
    pub device_name: Option<String>,
    /// Whether the WebSocket to the hub is up.
    pub live: bool,
    /// Ops written and not yet answered by the cloud.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub waiting: i64,
    /// Ops the cloud did not apply whole (see the sync screen).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub notes: i64,
    /// When a push or pull last worked (ms since the epoch).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_sync_at: Option<i64>,
    /// Why the last round failed.
    pub last_error: Option<String>,
    /// Changes from the cloud applied since the till started: when it moves, lists of orders are
    /// out of date (other tills' orders changed, or a pay-by-bank payment of this till's was
    /// recorded from the cloud's notice).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub changes_applied: u64,
}

/// A live event from the hub, passed on to the UI.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SyncEvent"))]
pub struct LiveEvent {
    /// The restaurant's event sequence.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
    /// What (`order.updated`, `order.status_changed`…).
    pub topic: String,
    /// The details.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub data: serde_json::Value,
}

pub(crate) struct Shared {
    pub(crate) till: Arc<Mutex<Till>>,
    pub(crate) store: Arc<Store>,
    secrets: Arc<dyn Secrets>,
    pub(crate) options: SyncOptions,
    auth: std::sync::Mutex<Option<Arc<Auth>>>,
    round: Mutex<()>,
    pub(crate) wake: Notify,
    /// Set when the next round should pull too (a live event, the timer, a reconnect).
    want_pull: AtomicBool,
    /// Wakes the live task when a pairing begins or ends.
    pub(crate) rewire: Notify,
    status: watch::Sender<SyncStatus>,
    pub(crate) events: broadcast::Sender<LiveEvent>,
    online: AtomicBool,
    pub(crate) live: AtomicBool,
    applied: std::sync::atomic::AtomicU64,
    last_error: std::sync::Mutex<Option<String>>,
}

/// The sync engine of one till (cheap to clone: a handle).
#[derive(Clone)]
pub struct SyncEngine {
    pub(crate) shared: Arc<Shared>,
}

/// A handle on an engine that does not keep it (nor its till) alive: for what the till itself holds,
/// such as its payment provider ([`crate::pay::CloudPayments`]), which would otherwise make a cycle.
#[derive(Clone, Debug)]
pub struct WeakEngine(std::sync::Weak<Shared>);

impl WeakEngine {
    /// The engine, while something else keeps it.
    pub fn upgrade(&self) -> Option<SyncEngine> {
        self.0.upgrade().map(|shared| SyncEngine { shared })
    }
}

impl SyncEngine {
    /// A handle that does not keep the engine alive.
    pub fn downgrade(&self) -> WeakEngine {
        WeakEngine(Arc::downgrade(&self.shared))
    }

    /// The engine of `till`, its credentials in `secrets`. Paired or not: pairing can come later.
    pub async fn open(till: Arc<Mutex<Till>>, secrets: Arc<dyn Secrets>, options: SyncOptions) -> Result<SyncEngine> {
        let store = till.lock().await.store_handle();
        let pairing = store.pairing().await?;
        let auth = match &pairing {
            Some(p) if !p.revoked => Some(Arc::new(Auth::new(
                Cloud::new(&p.cloud_url)?,
                Arc::clone(&secrets),
                Arc::clone(&store),
            ))),
            _ => None,
        };
        let (status, _) = watch::channel(SyncStatus {
            mode: SyncMode::Unpaired,
            device_id: store.device().to_string(),
            cloud_url: None,
            restaurant_id: None,
            device_name: None,
            live: false,
            waiting: 0,
            notes: 0,
            last_sync_at: None,
            last_error: None,
            changes_applied: 0,
        });
        let (events, _) = broadcast::channel(1024);
        let engine = SyncEngine {
            shared: Arc::new(Shared {
                till,
                store,
                secrets,
                options,
                auth: std::sync::Mutex::new(auth),
                round: Mutex::new(()),
                wake: Notify::new(),
                want_pull: AtomicBool::new(true),
                rewire: Notify::new(),
                status,
                events,
                online: AtomicBool::new(false),
                live: AtomicBool::new(false),
                applied: std::sync::atomic::AtomicU64::new(0),
                last_error: std::sync::Mutex::new(None),
            }),
        };
        engine.publish().await;
        Ok(engine)
    }

    /// Pairs this till with the cloud at `cloud_url` using a manager's one-time `code`, naming it
    /// `name`; then syncs. The till's credentials go to the keychain; its address and restaurant to its
    /// database.
    pub async fn pair(&self, cloud_url: &str, code: &str, name: &str) -> Result<SyncStatus> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(SyncError::new(
                SyncCode::InvalidInput,
                "a till's name has 1 to 100 characters",
            ));
        }
        let code = code.trim();
        if code.is_empty() || code.len() > 32 {
            return Err(SyncError::new(
                SyncCode::InvalidInput,
                "a pairing code is the 8 characters a manager made",
            ));
        }
        let cloud = Cloud::new(cloud_url)?;
        let shared = &self.shared;
        let round = shared.round.lock().await;
        let device = shared.store.device().to_string();
        let session = cloud.pair(code, &device, name).await.map_err(|e| match e.cloud {
            Some(ErrorCode::NotFound | ErrorCode::InvalidInput | ErrorCode::Unauthorized) => SyncError {
                code: SyncCode::InvalidInput,
                cloud: e.cloud,
                message: format!("the pairing code was refused: {}", e.message),
            },
            _ => e,
        })?;
        let pairing = Pairing {
            cloud_url: cloud.base().to_owned(),
            restaurant_id: session.restaurant_id.clone(),
            device_name: name.to_owned(),
            paired_at: fynlo_core::time::Timestamp::from_millis(now_ms()),
            revoked: false,
        };
        let auth = Arc::new(Auth::new(cloud, Arc::clone(&shared.secrets), Arc::clone(&shared.store)));
        // The pairing is recorded before the keychain is written: a till that refuses it (its sales
        // belong to another restaurant) keeps the credentials it had.
        shared.store.set_pairing(Some(&pairing)).await?;
        auth.adopt(&session).await?;
        *shared.auth.lock().map_err(|_| poisoned())? = Some(auth);
        shared
            .till
            .lock()
            .await
            .record_paired(&pairing.cloud_url, &pairing.restaurant_id, &pairing.device_name)
            .await
            .map_err(|e| SyncError::new(SyncCode::Storage, format!("recording the pairing: {}", e.message)))?;
        drop(round);
        shared.rewire.notify_waiters();
        shared.wake.notify_one();
        self.publish().await;
        Ok(self.status())
    }

    /// Unpairs this till: tells the cloud (if it can be reached), removes the credentials from the
    /// keychain and the pairing from the database. Its journal stays; pairing again into the same
    /// restaurant goes on from where the cloud is.
    pub async fn unpair(&self, by: &fynlo_core::ids::StaffId) -> Result<SyncStatus> {
        let shared = &self.shared;
        let round = shared.round.lock().await;
        let device = shared.store.device().to_string();
        let auth = shared.auth.lock().map_err(|_| poisoned())?.take();
        if let (Some(auth), Ok(Some(credentials))) = (auth, shared.secrets.get(&device)) {
            if let Err(e) = auth.cloud().logout(&credentials.refresh_token).await {
                tracing::warn!("unpairing: the cloud was not told ({e}); the till forgets it anyway");
            }
        }
        shared.secrets.delete(&device)?;
        shared.store.set_pairing(None).await?;
        shared
            .till
            .lock()
            .await
            .record_unpaired(by)
            .await
            .map_err(|e| SyncError::new(SyncCode::Storage, format!("recording the unpairing: {}", e.message)))?;
        drop(round);
        shared.rewire.notify_waiters();
        self.publish().await;
        Ok(self.status())
    }

    /// Runs one round now (push, then pull) and answers with the state after it.
    pub async fn sync_now(&self) -> Result<SyncStatus> {
        let result = self.round().await;
        self.publish().await;
        result.map(|()| self.status())
    }

    /// Asks for a push soon (a command may have saved something). Cheap: it never waits. Wakes that
    /// come together (the commands of one sale) make one round.
    pub fn wake(&self) {
        self.shared.wake.notify_one();
    }

    /// Asks for a round that pulls too (the hub said something changed).
    pub(crate) fn wake_pull(&self) {
        self.shared.want_pull.store(true, Ordering::Relaxed);
        self.shared.wake.notify_one();
    }

    /// The state as last published.
    pub fn status(&self) -> SyncStatus {
        self.shared.status.borrow().clone()
    }

    /// Follows the state.
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.shared.status.subscribe()
    }

    /// Follows the live events.
    pub fn events(&self) -> broadcast::Receiver<LiveEvent> {
        self.shared.events.subscribe()
    }

    /// The cloud says one of this till's pay-by-bank payments moved (or the live socket came back):
    /// the till asks its provider about every attempt still in flight and records what it says
    /// (`Till::recover_in_flight`), in a task of its own — never holding up the socket. Nothing in flight:
    /// nothing asked.
    pub fn payments_changed(&self) {
        let engine = self.clone();
        tokio::spawn(async move {
            match engine.shared.store.orders_with_attempts_in_flight().await {
                Ok(orders) if orders.is_empty() => return,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("payments in flight: {e}");
                    return;
                }
            }
            // As the system: the till may be locked while the customer pays.
            let result = engine.shared.till.lock().await.recover_in_flight().await;
            match result {
                Ok(_) => {
                    engine.shared.applied.fetch_add(1, Ordering::Relaxed);
                    engine.publish().await;
                }
                Err(e) => tracing::warn!("payments in flight: {}", e.message),
            }
        });
    }

    /// Asks the cloud for a pay-by-bank payment session (see [`crate::pay`]).
    pub async fn create_payment_session(&self, request: &NewPaymentSession) -> Result<PaymentSession> {
        let auth = self.paired()?;
        self.authed(&auth, |token| {
            let auth = &auth;
            async move { auth.cloud().create_payment_session(&token, request).await }
        })
        .await
    }

    /// A payment session by its attempt key; none when the cloud never made one.
    pub async fn payment_session(&self, attempt: &str) -> Result<Option<PaymentSession>> {
        let auth = self.paired()?;
        let found = self
            .authed(&auth, |token| {
                let auth = &auth;
                async move { auth.cloud().payment_session(&token, attempt).await }
            })
            .await;
        none_when_not_found(found)
    }

    /// Cancels a payment session not paid yet; answers it as it then is.
    pub async fn cancel_payment_session(&self, attempt: &str) -> Result<PaymentSession> {
        let auth = self.paired()?;
        self.authed(&auth, |token| {
            let auth = &auth;
            async move { auth.cloud().cancel_payment_session(&token, attempt).await }
        })
        .await
    }

    /// Sends money back on a paid pay-by-bank payment, through the cloud and its provider.
    pub async fn refund_payment_session(&self, attempt: &str, request: &NewPaymentRefund) -> Result<PaymentRefund> {
        let auth = self.paired()?;
        self.authed(&auth, |token| {
            let auth = &auth;
            async move { auth.cloud().refund_payment_session(&token, attempt, request).await }
        })
        .await
    }

    /// A pay-by-bank refund by the till's refund key; none when the cloud never made one.
    pub async fn payment_refund(&self, key: &str) -> Result<Option<PaymentRefund>> {
        let auth = self.paired()?;
        let found = self
            .authed(&auth, |token| {
                let auth = &auth;
                async move { auth.cloud().payment_refund(&token, key).await }
            })
            .await;
        none_when_not_found(found)
    }

    /// The restaurant's pay-by-bank payments that were paid and then returned by the bank.
    pub async fn flagged_payments(&self) -> Result<Vec<PaymentSession>> {
        let auth = self.paired()?;
        self.authed(&auth, |token| {
            let auth = &auth;
            async move { auth.cloud().flagged_payments(&token).await }
        })
        .await
    }

    fn paired(&self) -> Result<Arc<Auth>> {
        self.auth()
            .ok_or_else(|| SyncError::new(SyncCode::NotPaired, "this till is not paired with a cloud"))
    }

    /// The till this engine syncs.
    pub fn till(&self) -> Arc<Mutex<Till>> {
        Arc::clone(&self.shared.till)
    }

    /// The tokens in use, when paired (tests count refreshes through it).
    pub fn auth(&self) -> Option<Arc<Auth>> {
        self.shared.auth.lock().ok().and_then(|a| a.clone())
    }

    /// The cloud's notes on ops it did not apply whole, newest first.
    pub async fn notes(&self, limit: i64) -> Result<Vec<SyncNote>> {
        Ok(self.shared.store.sync_notes(limit).await?)
    }

    /// Runs until `stop` turns true: rounds when woken, on the timer and after failures (with
    /// backoff), and the live WebSocket beside them.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        if self.shared.options.live {
            tokio::spawn(crate::live::run(self.clone(), stop.clone()));
        }
        let mut failures = 0u32;
        let mut last_round = tokio::time::Instant::now();
        loop {
            if *stop.borrow() {
                break;
            }
            let paired = self.auth().is_some();
            if paired {
                last_round = tokio::time::Instant::now();
                // A command's wake pushes; a live event, the timer or a retry pulls as well.
                let pull = self.shared.want_pull.swap(false, Ordering::Relaxed) || failures > 0;
                match self.round_of(pull).await {
                    Ok(()) => failures = 0,
                    Err(e) if e.is_transient() => failures = failures.saturating_add(1),
                    Err(e) => {
                        tracing::warn!(code = ?e.code, "sync: {e}");
                        failures = failures.saturating_add(1);
                    }
                }
                self.publish().await;
            }
            let wait = if failures > 0 {
                backoff(failures, self.shared.options.backoff_unit)
            } else {
                self.shared.options.interval
            };
            tokio::select! {
                () = self.shared.wake.notified(), if failures == 0 => {
                    // Let the rest of a burst of commands arrive (the commands of one sale), and on a
                    // busy till at most one round every `MIN_GAP`: one round for them all. A command
                    // on a quiet till goes out at once.
                    tokio::time::sleep(GATHER).await;
                    tokio::time::sleep_until(last_round + MIN_GAP).await;
                }
                () = tokio::time::sleep(wait) => self.shared.want_pull.store(true, Ordering::Relaxed),
                _ = stop.changed() => {}
            }
        }
    }

    /// One round: push everything waiting, then pull everything new.
    async fn round(&self) -> Result<()> {
        self.round_of(true).await
    }

    /// Pushes everything waiting, then (when asked) pulls everything new.
    async fn round_of(&self, pull: bool) -> Result<()> {
        let shared = &self.shared;
        let _round = shared.round.lock().await;
        let auth = self
            .auth()
            .ok_or_else(|| SyncError::new(SyncCode::NotPaired, "this till is not paired with a cloud"))?;
        let result: Result<()> = async {
            self.push_all(&auth).await?;
            if pull {
                self.pull_all(&auth).await?;
            }
            Ok(())
        }
        .await;
        match &result {
            Ok(()) => {
                shared.online.store(true, Ordering::Relaxed);
                *shared.last_error.lock().map_err(|_| poisoned())? = None;
            }
            Err(e) => {
                shared.online.store(!e.is_transient(), Ordering::Relaxed);
                *shared.last_error.lock().map_err(|_| poisoned())? = Some(e.message.clone());
                // Revoked in the cloud, or the credentials gone from the keychain (on Linux, keyutils
                // forgets them at a reboot): either way the till must be paired again.
                if matches!(e.code, SyncCode::Revoked | SyncCode::NotPaired) {
                    if e.code == SyncCode::NotPaired {
                        shared.store.mark_revoked().await?;
                    }
                    shared.auth.lock().map_err(|_| poisoned())?.take();
                    shared.rewire.notify_waiters();
                }
            }
        }
        result
    }

    /// A request with the access token; a 401 refreshes once and tries again.
    pub(crate) async fn authed<T, F, Fut>(&self, auth: &Auth, call: F) -> Result<T>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let token = auth.access().await?;
        let result = match call(token.clone()).await {
            Err(e) if e.code == SyncCode::Refused && e.cloud == Some(ErrorCode::Unauthorized) => {
                auth.refused(&token).await;
                let token = auth.access().await?;
                call(token).await
            }
            other => other,
        };
        match result {
            Err(e) if refused_for_good(&e) => {
                self.shared.store.mark_revoked().await?;
                Err(SyncError {
                    code: SyncCode::Revoked,
                    cloud: e.cloud,
                    message: format!("the cloud no longer accepts this till ({}): pair it again", e.message),
                })
            }
            other => other,
        }
    }

    /// Pushes the journal after the cloud's cursor, a batch at a time, recording each answer. While a
    /// full batch is on its way, the next one is read from the journal (it is used only if the cloud
    /// took the whole batch; otherwise it is read again from the cloud's cursor).
    async fn push_all(&self, auth: &Auth) -> Result<()> {
        let store = &self.shared.store;
        let batch_size = i64::try_from(self.shared.options.batch.clamp(1, fynlo_protocol::MAX_BATCH)).unwrap_or(1);
        let mut read_ahead: Option<(i64, Vec<Op>)> = None;
        loop {
            let state = store.sync_state().await?;
            let batch = match read_ahead.take() {
                Some((after, batch)) if after == state.pushed_through => batch,
                _ => self.read_batch(state.pushed_through, batch_size).await?,
            };
            let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
                return Ok(());
            };
            let first = i64::try_from(first.seq).unwrap_or(i64::MAX);
            let last = i64::try_from(last.seq).unwrap_or(i64::MAX);
            let full = i64::try_from(batch.len()).unwrap_or(0) >= batch_size;
            let request = PushRequest { ops: batch };
            let push = self.authed(auth, |token| {
                let request = &request;
                async move { auth.cloud().push(&token, request).await }
            });
            let next = async {
                if full {
                    self.read_batch(last, batch_size).await.ok()
                } else {
                    None
                }
            };
            let (response, next) = tokio::join!(push, next);
            read_ahead = next.map(|batch| (last, batch));
            let response = response.map_err(|e| match e.cloud {
                Some(ErrorCode::Gap) => SyncError {
                    code: SyncCode::Protocol,
                    cloud: e.cloud,
                    message: format!(
                        "the cloud is missing this till's ops before {first} ({}): it may have been restored \
                         from a backup — see docs/sync.md",
                        e.message
                    ),
                },
                _ => e,
            })?;
            let through = i64::try_from(response.through).unwrap_or(i64::MAX);
            let at = fynlo_core::time::Timestamp::from_millis(now_ms());
            let mut notes = Vec::new();
            for ack in &response.acks {
                let Some(op) = request.ops.iter().find(|o| o.seq == ack.seq && o.op_id == ack.op_id) else {
                    return Err(SyncError::new(
                        SyncCode::Protocol,
                        format!("the cloud answered op {} that was not pushed", ack.seq),
                    ));
                };
                let (outcome, code, message) = match &ack.outcome {
                    Outcome::Applied | Outcome::Duplicate => continue,
                    Outcome::Partial { code, message } => ("partial", code, message),
                    Outcome::Rejected { code, message } => ("rejected", code, message),
                };
                notes.push(SyncNote {
                    seq: i64::try_from(op.seq).unwrap_or(i64::MAX),
                    op_id: op.op_id.to_string(),
                    op_type: op.op_type.clone(),
                    outcome: outcome.into(),
                    code: serde_json::to_value(code)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    message: message.clone(),
                    at,
                });
            }
            store.record_push(through, &notes, at).await?;
            if through < last {
                // The cloud stopped inside the batch: go on from its cursor next round.
                if through < first {
                    return Err(SyncError::new(
                        SyncCode::Protocol,
                        format!("the cloud took none of ops {first}–{last} (its cursor is {through})"),
                    ));
                }
            }
        }
    }

    /// Up to `limit` ops of the journal after `after`, as the cloud takes them.
    async fn read_batch(&self, after: i64, limit: i64) -> Result<Vec<Op>> {
        let ops = self.shared.store.outbox_after(after, limit).await?;
        let mut batch = Vec::with_capacity(ops.len());
        for op in &ops {
            batch.push(self.for_cloud(op.to_protocol()?).await?);
        }
        Ok(batch)
    }

    /// An op as the cloud takes it: a member of staff carries their PIN hash, so other tills can log
    /// them in (the journal leaves it out of the op).
    async fn for_cloud(&self, mut op: Op) -> Result<Op> {
        if op.op_type == "staff.updated" && op.payload.get("name").is_some() {
            let id = op.payload.get("id").and_then(|v| v.as_str()).map(str::to_owned);
            if let Some(id) = id {
                if let Some(hash) = self.shared.store.staff_pin_hash(&id).await? {
                    if let Some(fields) = op.payload.as_object_mut() {
                        fields.insert("pin_hash".into(), hash.into());
                    }
                }
            }
        }
        Ok(op)
    }

    /// Pulls every page after the stored cursor and applies it through the till.
    async fn pull_all(&self, auth: &Auth) -> Result<()> {
        let store = &self.shared.store;
        let page_size = self.shared.options.page.clamp(1, fynlo_protocol::MAX_PAGE);
        loop {
            let cursor = store.sync_state().await?.pull_cursor;
            let page = self
                .authed(auth, |token| {
                    let cursor = cursor.clone();
                    async move { auth.cloud().pull(&token, cursor.as_deref(), page_size).await }
                })
                .await;
            let page = match page {
                Err(e) if e.cloud == Some(ErrorCode::Conflict) && cursor.is_some() => {
                    // The cursor is ahead of the cloud (restored from a backup): start again from a
                    // snapshot; applying what this till has again is harmless.
                    tracing::warn!("sync: the pull cursor is ahead of the cloud; pulling a snapshot");
                    store
                        .record_pull(None, fynlo_core::time::Timestamp::from_millis(now_ms()))
                        .await?;
                    continue;
                }
                other => other?,
            };
            for change in &page.changes {
                self.apply(auth, change).await?;
            }
            store
                .record_pull(
                    Some(&page.next_cursor),
                    fynlo_core::time::Timestamp::from_millis(now_ms()),
                )
                .await?;
            if !page.more {
                return Ok(());
            }
        }
    }

    /// Applies one change; an order change that builds on a version this till lacks takes the order
    /// whole from the cloud. A change the till refuses (bad data) is logged and skipped: one bad record
    /// must not stop the others.
    async fn apply(&self, auth: &Auth, change: &fynlo_protocol::Change) -> Result<()> {
        let applied = self.shared.till.lock().await.apply_cloud_change(change).await;
        if matches!(applied, Ok(ref a) if !matches!(a, CloudApplied::Skipped(_))) {
            self.shared.applied.fetch_add(1, Ordering::Relaxed);
        }
        match applied {
            Ok(CloudApplied::Order(id, RemoteApplied::NeedsWhole)) => self.take_whole(auth, id).await,
            Ok(_) => Ok(()),
            // The till's database failing is not the change's fault: the round stops before the cursor
            // moves past it, and the change is applied when the round runs again.
            Err(e) if e.code == ErrorCodeApp::Storage => Err(e.into()),
            Err(e) => {
                tracing::warn!(kind = ?change.kind, code = e.code.as_str(), "sync: a change from the cloud was not applied: {}", e.message);
                Ok(())
            }
        }
    }

    async fn take_whole(&self, auth: &Auth, id: OrderId) -> Result<()> {
        let detail = self
            .authed(auth, |token| async move {
                auth.cloud().order(&token, &id.to_string()).await
            })
            .await?;
        let applied = self
            .shared
            .till
            .lock()
            .await
            .apply_remote_order(id, 0, &detail.events, true)
            .await;
        match applied {
            Err(e) if e.code == ErrorCodeApp::Storage => Err(e.into()),
            Err(e) => {
                tracing::warn!(order = %id, "sync: the cloud's order was not applied: {}", e.message);
                Ok(())
            }
            Ok(_) => Ok(()),
        }
    }

    /// Reads the state and publishes it to subscribers (and [`SyncEngine::status`]).
    pub async fn publish(&self) {
        let shared = &self.shared;
        let (state, pairing) = match (shared.store.sync_state().await, shared.store.pairing().await) {
            (Ok(state), Ok(pairing)) => (state, pairing),
            (Err(e), _) | (_, Err(e)) => {
                tracing::error!("sync: reading its state: {e}");
                return;
            }
        };
        let paired = self.auth().is_some();
        let mode = match &pairing {
            None => SyncMode::Unpaired,
            Some(p) if p.revoked || !paired => SyncMode::Revoked,
            Some(_) if shared.online.load(Ordering::Relaxed) => SyncMode::Online,
            Some(_) => SyncMode::Offline,
        };
        let last = match (state.last_push_at, state.last_pull_at) {
            (Some(a), Some(b)) => Some(a.millis().max(b.millis())),
            (a, b) => a.or(b).map(fynlo_core::time::Timestamp::millis),
        };
        let status = SyncStatus {
            mode,
            device_id: shared.store.device().to_string(),
            cloud_url: pairing.as_ref().map(|p| p.cloud_url.clone()),
            restaurant_id: pairing.as_ref().map(|p| p.restaurant_id.clone()),
            device_name: pairing.as_ref().map(|p| p.device_name.clone()),
            live: shared.live.load(Ordering::Relaxed),
            waiting: state.waiting(),
            notes: state.notes,
            last_sync_at: last,
            last_error: shared.last_error.lock().ok().and_then(|e| e.clone()),
            changes_applied: shared.applied.load(Ordering::Relaxed),
        };
        shared.status.send_replace(status);
    }
}

/// How long a round waits after a wake for the rest of a burst (the commands of one sale).
const GATHER: Duration = Duration::from_millis(5);
/// The least time between the starts of two rounds woken by commands.
const MIN_GAP: Duration = Duration::from_millis(50);

/// The wait before retry `n` (1, 2, 4, 8, 16, then 30 units), ±20 % jitter.
pub fn backoff(attempt: u32, unit: Duration) -> Duration {
    const STEPS: [u32; 6] = [1, 2, 4, 8, 16, 30];
    let step = STEPS[usize::try_from(attempt.saturating_sub(1)).unwrap_or(5).min(5)];
    let jitter = 0.8 + 0.4 * fastrand::f64();
    unit.mul_f64(f64::from(step) * jitter)
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn poisoned() -> SyncError {
    SyncError::new(SyncCode::Storage, "the sync's state lock was poisoned")
}

/// The cloud's answer, or none when it says there is no such thing (`not_found`).
fn none_when_not_found<T>(answer: Result<T>) -> Result<Option<T>> {
    match answer {
        Ok(found) => Ok(Some(found)),
        Err(e) if e.cloud == Some(ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}
