//! Where a till keeps its credentials: the operating system's keychain, through `keyring-core` and the
//! store crate for the platform — the Apple keychain on macOS (the data-protection keychain on iOS), the
//! Windows credential manager, and on Linux the kernel's keyutils (chosen explicitly: it needs no desktop
//! session or D-Bus, so it works on a headless counter PC; it lives in memory, so after a reboot the
//! till is paired again — `docs/sync.md`). There is no plain-text fallback: a till whose keychain
//! cannot be used says so and stays unpaired.
//!
//! [`Secrets`] is the port; [`Keychain`] the real one; [`MemorySecrets`] holds them in memory for tests
//! that are not about the keychain. Beside the device's credentials it keeps the card provider's
//! settings with their secret key (`fynlo cards connect-stripe`).

use std::{collections::HashMap, sync::Mutex};

use serde::{Deserialize, Serialize};

use crate::error::{Result, SyncCode, SyncError};

/// What a paired till must keep secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// The restaurant.
    pub restaurant_id: String,
    /// The till's rotating refresh token.
    pub refresh_token: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("restaurant_id", &self.restaurant_id)
            .field("refresh_token", &"<secret>")
            .finish()
    }
}

/// A place for a till's credentials, by device id, and for its payment providers' settings with
/// their secret keys, by provider (`stripe`).
pub trait Secrets: Send + Sync {
    /// The device's credentials, if any.
    fn get(&self, device: &str) -> Result<Option<Credentials>>;
    /// Stores them, replacing any before.
    fn set(&self, device: &str, credentials: &Credentials) -> Result<()>;
    /// Removes them (nothing to remove is fine).
    fn delete(&self, device: &str) -> Result<()>;
    /// A payment provider's settings (JSON, its secret key inside), if kept.
    fn provider(&self, name: &str) -> Result<Option<String>>;
    /// Keeps a payment provider's settings, replacing any before.
    fn set_provider(&self, name: &str, settings: &str) -> Result<()>;
    /// Forgets a payment provider's settings (nothing to forget is fine).
    fn delete_provider(&self, name: &str) -> Result<()>;
}

/// Readies the process for the keychain. On Linux the keyutils store needs a session keyring: a
/// process started outside a login session (a service, a test, a headless counter PC) gets one of its
/// own here, into which the user's persistent keyring is linked, so credentials outlive the process
/// (not a reboot). Call it first thing in `main`, before any thread starts: a thread takes its keyrings
/// from the thread that made it.
pub fn prepare_process() -> Result<()> {
    #[cfg(target_os = "linux")]
    linux_keyutils::KeyRing::from_special_id(linux_keyutils::KeyRingIdentifier::Session, true)
        .map_err(|e| SyncError::new(SyncCode::Keychain, format!("the keychain: no session keyring ({e:?})")))?;
    Ok(())
}

/// A keychain that cannot be used, and says why on every call: never a plain-text fallback.
pub struct Unavailable(pub String);

impl Secrets for Unavailable {
    fn get(&self, _: &str) -> Result<Option<Credentials>> {
        Err(SyncError::new(SyncCode::Keychain, self.0.clone()))
    }

    fn set(&self, _: &str, _: &Credentials) -> Result<()> {
        Err(SyncError::new(SyncCode::Keychain, self.0.clone()))
    }

    fn delete(&self, _: &str) -> Result<()> {
        Err(SyncError::new(SyncCode::Keychain, self.0.clone()))
    }

    fn provider(&self, _: &str) -> Result<Option<String>> {
        Err(SyncError::new(SyncCode::Keychain, self.0.clone()))
    }

    fn set_provider(&self, _: &str, _: &str) -> Result<()> {
        Err(SyncError::new(SyncCode::Keychain, self.0.clone()))
    }

    fn delete_provider(&self, _: &str) -> Result<()> {
        Err(SyncError::new(SyncCode::Keychain, self.0.clone()))
    }
}

/// The platform's keychain, or — when it cannot be opened — one that says why on every use.
pub fn platform_or_unavailable() -> std::sync::Arc<dyn Secrets> {
    match Keychain::platform() {
        Ok(keychain) => std::sync::Arc::new(keychain),
        Err(e) => {
            tracing::error!("the keychain cannot be used: {e}; this till cannot pair until it can");
            std::sync::Arc::new(Unavailable(e.message))
        }
    }
}

/// The service name credentials are kept under.
pub const SERVICE: &str = "fynlo-pos";

/// The service name payment providers' settings are kept under (one entry per provider).
pub const PROVIDERS: &str = "fynlo-pos-payments";

fn keychain_error(e: &keyring_core::Error) -> SyncError {
    SyncError::new(SyncCode::Keychain, format!("the keychain: {e}"))
}

/// A platform store as the `CredentialStore` keyring-core works with.
#[allow(dead_code, reason = "one platform's store uses it")]
fn coerce<S: keyring_core::api::CredentialStoreApi + Send + Sync + 'static>(
    store: keyring_core::Result<std::sync::Arc<S>>,
) -> keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> {
    store.map(|s| s as std::sync::Arc<keyring_core::CredentialStore>)
}

/// The operating system's keychain.
pub struct Keychain {
    store: std::sync::Arc<keyring_core::CredentialStore>,
}

impl Keychain {
    /// The platform's keychain (see the module's docs for which).
    pub fn platform() -> Result<Keychain> {
        #[cfg(target_os = "linux")]
        let store = coerce(linux_keyutils_keyring_store::Store::new());
        #[cfg(target_os = "macos")]
        let store = coerce(apple_native_keyring_store::keychain::Store::new());
        #[cfg(target_os = "ios")]
        let store = coerce(apple_native_keyring_store::protected::Store::new());
        #[cfg(target_os = "windows")]
        let store = coerce(windows_native_keyring_store::Store::new());
        #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "ios", target_os = "windows")))]
        let store: keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> = Err(
            keyring_core::Error::NotSupportedByStore("no keychain on this platform".into()),
        );
        let store = store.map_err(|e| keychain_error(&e))?;
        Ok(Keychain { store })
    }

    fn entry(&self, device: &str) -> Result<keyring_core::Entry> {
        keyring_core::Entry::new_in_store(&self.store, SERVICE, device).map_err(|e| keychain_error(&e))
    }

    fn provider_entry(&self, name: &str) -> Result<keyring_core::Entry> {
        keyring_core::Entry::new_in_store(&self.store, PROVIDERS, name).map_err(|e| keychain_error(&e))
    }
}

impl Secrets for Keychain {
    fn get(&self, device: &str) -> Result<Option<Credentials>> {
        match self.entry(device)?.get_password() {
            Ok(json) => serde_json::from_str(&json)
                .map(Some)
                .map_err(|e| SyncError::new(SyncCode::Keychain, format!("the keychain's entry is not ours: {e}"))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(&e)),
        }
    }

    fn set(&self, device: &str, credentials: &Credentials) -> Result<()> {
        let json = serde_json::to_string(credentials).map_err(|e| SyncError::new(SyncCode::Keychain, e.to_string()))?;
        self.entry(device)?.set_password(&json).map_err(|e| keychain_error(&e))
    }

    fn delete(&self, device: &str) -> Result<()> {
        match self.entry(device)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(&e)),
        }
    }

    fn provider(&self, name: &str) -> Result<Option<String>> {
        match self.provider_entry(name)?.get_password() {
            Ok(settings) => Ok(Some(settings)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(&e)),
        }
    }

    fn set_provider(&self, name: &str, settings: &str) -> Result<()> {
        self.provider_entry(name)?
            .set_password(settings)
            .map_err(|e| keychain_error(&e))
    }

    fn delete_provider(&self, name: &str) -> Result<()> {
        match self.provider_entry(name)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(&e)),
        }
    }
}

/// Credentials in memory, for tests that are not about the keychain.
#[derive(Default)]
pub struct MemorySecrets {
    entries: Mutex<HashMap<String, Credentials>>,
    providers: Mutex<HashMap<String, String>>,
}

impl Secrets for MemorySecrets {
    fn get(&self, device: &str) -> Result<Option<Credentials>> {
        Ok(self.entries.lock().map_err(|_| poisoned())?.get(device).cloned())
    }

    fn set(&self, device: &str, credentials: &Credentials) -> Result<()> {
        self.entries
            .lock()
            .map_err(|_| poisoned())?
            .insert(device.into(), credentials.clone());
        Ok(())
    }

    fn delete(&self, device: &str) -> Result<()> {
        self.entries.lock().map_err(|_| poisoned())?.remove(device);
        Ok(())
    }

    fn provider(&self, name: &str) -> Result<Option<String>> {
        Ok(self.providers.lock().map_err(|_| poisoned())?.get(name).cloned())
    }

    fn set_provider(&self, name: &str, settings: &str) -> Result<()> {
        self.providers
            .lock()
            .map_err(|_| poisoned())?
            .insert(name.into(), settings.into());
        Ok(())
    }

    fn delete_provider(&self, name: &str) -> Result<()> {
        self.providers.lock().map_err(|_| poisoned())?.remove(name);
        Ok(())
    }
}

fn poisoned() -> SyncError {
    SyncError::new(SyncCode::Keychain, "the credentials' lock was poisoned")
}
