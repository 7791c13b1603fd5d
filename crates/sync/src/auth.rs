//! The till's access token: refreshed before it expires, one refresh at a time. A caller that needs a
//! token while a refresh is under way waits for it and takes its result, so any number of requests at
//! expiry cause exactly one refresh (and the rotating refresh token is never sent twice). The new
//! refresh token is in the keychain before the new access token is used.
//!
//! A refresh the cloud refuses for good (the till revoked by a manager, or its refresh token used twice
//! — theft detection) marks the pairing revoked: the till shows "pair this till again" and keeps
//! selling; its ops wait in the journal.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use fynlo_protocol::ErrorCode;
use fynlo_store::Store;
use tokio::sync::Mutex;

use crate::{
    client::{Cloud, Session},
    error::{Result, SyncCode, SyncError},
    secrets::{Credentials, Secrets},
};

/// A token this close to expiring is refreshed before use.
pub const REFRESH_BEFORE: Duration = Duration::from_secs(60);

#[derive(Clone)]
struct Access {
    token: String,
    expires: Instant,
}

/// The till's tokens for one cloud.
pub struct Auth {
    cloud: Cloud,
    secrets: Arc<dyn Secrets>,
    store: Arc<Store>,
    device: String,
    current: Mutex<Option<Access>>,
    refreshes: AtomicU64,
}

impl Auth {
    /// Tokens of `device` for `cloud`, its refresh token in `secrets`.
    pub fn new(cloud: Cloud, secrets: Arc<dyn Secrets>, store: Arc<Store>) -> Auth {
        let device = store.device().to_string();
        Auth {
            cloud,
            secrets,
            store,
            device,
            current: Mutex::new(None),
            refreshes: AtomicU64::new(0),
        }
    }

    /// The cloud these tokens are for.
    pub fn cloud(&self) -> &Cloud {
        &self.cloud
    }

    /// How many refreshes were sent (for tests and the sync screen).
    pub fn refreshes(&self) -> u64 {
        self.refreshes.load(Ordering::Relaxed)
    }

    /// Takes a session just made (pairing): its refresh token goes to the keychain first.
    pub async fn adopt(&self, session: &Session) -> Result<()> {
        self.secrets.set(
            &self.device,
            &Credentials {
                restaurant_id: session.restaurant_id.clone(),
                refresh_token: session.refresh_token.clone(),
            },
        )?;
        *self.current.lock().await = Some(access_of(session));
        Ok(())
    }

    /// A valid access token: the one held, or a fresh one (one refresh at a time).
    pub async fn access(&self) -> Result<String> {
        let mut current = self.current.lock().await;
        if let Some(access) = current.as_ref() {
            if access.expires > Instant::now() + REFRESH_BEFORE {
                return Ok(access.token.clone());
            }
        }
        let fresh = self.refresh().await?;
        let token = fresh.token.clone();
        *current = Some(fresh);
        Ok(token)
    }

    /// Forgets `token` after the cloud refused it (a request's 401): the next [`Auth::access`]
    /// refreshes, unless another caller already did.
    pub async fn refused(&self, token: &str) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|a| a.token == token) {
            *current = None;
        }
    }

    /// Marks the access token held as expired (tests: "at expiry").
    pub async fn expire(&self) {
        if let Some(access) = self.current.lock().await.as_mut() {
            access.expires = Instant::now();
        }
    }

    /// The refresh itself; the caller holds the lock.
    async fn refresh(&self) -> Result<Access> {
        let credentials = self.secrets.get(&self.device)?.ok_or_else(|| {
            SyncError::new(
                SyncCode::NotPaired,
                "this till has no credentials in its keychain: pair it with the cloud",
            )
        })?;
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        // A refresh whose answer was lost on the way must be sent again soon: the cloud gives the same
        // answer to the same token for 30 s, and takes it for theft after that. So a transient failure
        // is retried here at once (0.5, 1, 2 s), not after the engine's longer backoff.
        let mut answer = self.cloud.refresh(&credentials.refresh_token).await;
        for wait in [500, 1_000, 2_000] {
            if !matches!(&answer, Err(e) if e.is_transient()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(wait)).await;
            answer = self.cloud.refresh(&credentials.refresh_token).await;
        }
        match answer {
            Ok(session) => {
                self.secrets.set(
                    &self.device,
                    &Credentials {
                        restaurant_id: session.restaurant_id.clone(),
                        refresh_token: session.refresh_token.clone(),
                    },
                )?;
                Ok(access_of(&session))
            }
            Err(e) if refused_for_good(&e) => {
                self.store.mark_revoked().await?;
                Err(SyncError {
                    code: SyncCode::Revoked,
                    cloud: e.cloud,
                    message: format!("the cloud no longer accepts this till ({}): pair it again", e.message),
                })
            }
            Err(e) => Err(e),
        }
    }
}

/// A refusal no retry fixes: the refresh token is unknown, revoked or reused, or the till is revoked.
pub(crate) fn refused_for_good(e: &SyncError) -> bool {
    e.code == SyncCode::Refused && matches!(e.cloud, Some(ErrorCode::Unauthorized | ErrorCode::Forbidden))
}

fn access_of(session: &Session) -> Access {
    Access {
        token: session.access_token.clone(),
        expires: Instant::now() + Duration::from_secs(session.expires_in),
    }
}
