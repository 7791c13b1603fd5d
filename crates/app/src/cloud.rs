//! What the cloud sends a till, applied through the till (`docs/sync.md`): its menu and settings (the
//! cloud wins, SPEC §8), staff with their PIN hashes, and the orders other tills own. The sync engine
//! (`fynlo-sync`) pulls the changes and hands each here; the till keeps its cached menu, settings and
//! staff in step, so the next command sees them.
//!
//! Every change is applied at least once and may come again (after a crash between applying a page and
//! recording its cursor, or a snapshot read twice): a menu equal to the current one adds no version, a
//! record replaces a record, and an order's events at or below the version this till has are skipped.

use fynlo_core::{catalog::CatalogData, ids::OrderId, settings::Restaurant, time::Timestamp};
use fynlo_protocol::{Change, ChangeKind};
use fynlo_store::{CloudStaff, RemoteApplied, RemoteEntry};
use serde::Deserialize;

use crate::{
    error::{AppError, ErrorCode},
    till::Till,
};

/// What became of one change from the cloud.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloudApplied {
    /// The menu now current, by its local version.
    Menu(i64),
    /// The settings were taken.
    Settings,
    /// A member of staff was written (false: a record too thin for a member new to this till).
    Staff(bool),
    /// An order of another till's.
    Order(OrderId, RemoteApplied),
    /// Nothing to do here (a change this till makes itself, or one it has no use for yet).
    Skipped(&'static str),
}

#[derive(Deserialize)]
struct MenuChange {
    menu: serde_json::Value,
}

#[derive(Deserialize)]
struct OrderChange {
    order_id: OrderId,
    owner: String,
    #[serde(default)]
    base: u64,
    events: Vec<RemoteEntry>,
}

fn bad(kind: &str, e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::InvalidInput, format!("a {kind} change from the cloud: {e}"))
}

impl Till {
    /// Applies one change pulled from the cloud.
    pub async fn apply_cloud_change(&mut self, change: &Change) -> Result<CloudApplied, AppError> {
        let now = self.services.clock.now();
        match change.kind {
            ChangeKind::Menu => {
                let menu: MenuChange = serde_json::from_value(change.payload.clone()).map_err(|e| bad("menu", e))?;
                let data = crate::setup::parse_menu(&menu.menu.to_string())?;
                self.take_cloud_menu(&data, now).await
            }
            ChangeKind::Settings => {
                let restaurant: Restaurant =
                    serde_json::from_value(change.payload.clone()).map_err(|e| bad("settings", e))?;
                self.store.apply_cloud_settings(&restaurant, now).await?;
                self.restaurant = restaurant;
                Ok(CloudApplied::Settings)
            }
            ChangeKind::Staff => {
                let staff: CloudStaff = serde_json::from_value(change.payload.clone()).map_err(|e| bad("staff", e))?;
                let written = self.store.apply_cloud_staff(&staff, now).await?;
                if written {
                    self.staff = self.store.staff().await?;
                }
                Ok(CloudApplied::Staff(written))
            }
            ChangeKind::Order => {
                let order: OrderChange = serde_json::from_value(change.payload.clone()).map_err(|e| bad("order", e))?;
                if order.owner == self.store.device().to_string() {
                    // This till's own order, changed on another till: the cloud has merged it (SPEC §8);
                    // this till's copy stays its own (docs/sync.md says what is left).
                    return Ok(CloudApplied::Skipped("another till's change to this till's order"));
                }
                self.apply_remote_order(order.order_id, order.base, &order.events, false)
                    .await
            }
            ChangeKind::Payment => Ok(CloudApplied::Skipped("payments arrive inside their order's events")),
        }
    }

    /// Keeps the history of an order another till owns: the events after the version this till has
    /// (`whole`: the history replaces what it had, as `GET /api/v1/orders/{id}` gives it).
    pub async fn apply_remote_order(
        &mut self,
        id: OrderId,
        base: u64,
        entries: &[RemoteEntry],
        whole: bool,
    ) -> Result<CloudApplied, AppError> {
        let now = self.services.clock.now();
        let applied = self.store.apply_remote_order(id, base, entries, whole, now).await?;
        Ok(CloudApplied::Order(id, applied))
    }

    async fn take_cloud_menu(&mut self, data: &CatalogData, now: Timestamp) -> Result<CloudApplied, AppError> {
        let version = self.store.apply_cloud_menu(data, now).await?;
        if let Some((v, catalog)) = self.store.menu().await? {
            self.menu_version = v;
            self.catalog = catalog;
        }
        Ok(CloudApplied::Menu(version))
    }

    /// Checks that whoever is logged in (or the approval's manager) may unpair the till from the
    /// cloud: the `settings` permission.
    pub async fn authorise_pairing(
        &mut self,
        approval: Option<crate::session::request::ApprovalInput>,
    ) -> Result<fynlo_core::ids::StaffId, AppError> {
        self.authorise(fynlo_core::permission::Permission::Settings, approval)
            .await
    }

    /// Checks that whoever is logged in may change the till's settings (`settings`): choosing where
    /// card payments go (`fynlo cards`) is one of them.
    pub async fn authorise_settings(&mut self) -> Result<fynlo_core::ids::StaffId, AppError> {
        self.authorise(fynlo_core::permission::Permission::Settings, None).await
    }

    /// Checks that whoever is logged in may see the restaurant's money reports (`see_reports`): the
    /// payments the bank returned after a sale are shown to them.
    pub async fn authorise_reports(&mut self) -> Result<fynlo_core::ids::StaffId, AppError> {
        self.authorise(fynlo_core::permission::Permission::SeeReports, None)
            .await
    }

    /// Records that the till was paired with a cloud (`sync.paired`: its address, the restaurant and
    /// the till's name there) in the journal, and so in the audit chain and the outbox. Under the
    /// member logged in, or `system` (a pairing at start from the environment): the pairing code itself
    /// is the manager's authority.
    pub async fn record_paired(&mut self, cloud_url: &str, restaurant_id: &str, name: &str) -> Result<(), AppError> {
        let staff = self
            .session
            .staff
            .as_ref()
            .map_or_else(crate::setup::system_staff, |m| m.id.clone());
        let payload = serde_json::json!({ "cloud_url": cloud_url, "restaurant_id": restaurant_id, "name": name });
        self.store
            .record_op("sync.paired", &payload, &self.write_now(&staff))
            .await?;
        Ok(())
    }

    /// Records that the till was unpaired (`sync.unpaired`), under the member who approved it.
    pub async fn record_unpaired(&mut self, by: &fynlo_core::ids::StaffId) -> Result<(), AppError> {
        let payload = serde_json::json!({ "by": by.as_str() });
        self.store
            .record_op("sync.unpaired", &payload, &self.write_now(by))
            .await?;
        Ok(())
    }

    /// The till's database, shared: the sync reads the outbox and records the cloud's answers through
    /// it while the till goes on selling.
    pub fn store_handle(&self) -> std::sync::Arc<fynlo_store::Store> {
        std::sync::Arc::clone(&self.store)
    }
}
