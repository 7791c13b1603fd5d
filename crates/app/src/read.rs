//! Reading a till database without writing it, alongside the till that writes it: the views the `fynlo`
//! CLI prints (`menu`, `orders`, `order`, `outbox`). A [`Reader`] never migrates, never takes the
//! writer's lock and refuses every write; it sees every save, applied to the summary tables or not.

use std::path::Path;

use fynlo_core::{ids::OrderId, time::Timestamp};
pub use fynlo_store::OutboxOp;
use fynlo_store::Store;

use crate::{
    error::{AppError, ErrorCode},
    view::{HistoryView, MenuView, OrderView},
};

/// A till database opened to read.
pub struct Reader {
    store: Store,
}

impl Reader {
    /// Opens the database at `path` to read.
    pub async fn open(path: &Path) -> Result<Reader, AppError> {
        Ok(Reader {
            store: Store::open_reader(path).await?,
        })
    }

    /// The till's device id (what its keychain entries are kept under).
    pub fn device(&self) -> String {
        self.store.device().to_string()
    }

    /// The restaurant and its current menu.
    pub async fn menu(&self) -> Result<MenuView, AppError> {
        let restaurant = self
            .store
            .restaurant()
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::NotInitialised, "the till has no restaurant settings"))?;
        let (version, catalog) = self
            .store
            .menu()
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::NotInitialised, "the till has no menu"))?;
        Ok(MenuView::new(&restaurant, version, &catalog))
    }

    /// Orders not yet completed or cancelled, oldest first.
    pub async fn open_orders(&self) -> Result<Vec<OrderView>, AppError> {
        self.store
            .open_orders()
            .await?
            .iter()
            .map(|o| OrderView::new(o, None, true).map_err(AppError::from))
            .collect()
    }

    /// One order, named by its id or by its number on the business day `date` (`12` or `#12`), with
    /// its history.
    pub async fn order(&self, name: &str, now: Timestamp) -> Result<(OrderView, HistoryView), AppError> {
        let found = if let Ok(id) = OrderId::parse(name) {
            self.store.order(id).await?
        } else {
            let restaurant = self
                .store
                .restaurant()
                .await?
                .ok_or_else(|| AppError::new(ErrorCode::NotInitialised, "the till has no restaurant settings"))?;
            let date = &restaurant.business_date(now);
            let number: u32 = name.trim_start_matches('#').parse().map_err(|_| {
                AppError::new(
                    ErrorCode::NotFound,
                    format!("{name:?} is neither an order id nor an order number"),
                )
            })?;
            self.store
                .orders_on(date)
                .await?
                .into_iter()
                .find(|o| o.number() == number)
                .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("no order #{number} on {date}")))?
        };
        let history = self.store.history(found.id()).await?;
        Ok((OrderView::new(&found, None, true)?, HistoryView::new(&found, &history)))
    }

    /// Checks the audit chain (see `fynlo_store::Store::verify_audit`).
    pub async fn verify_audit(&self) -> Result<fynlo_store::AuditCheck, AppError> {
        Ok(self.store.verify_audit().await?)
    }

    /// The newest audit entries.
    pub async fn audit_entries(
        &self,
        limit: u32,
        action: Option<&str>,
    ) -> Result<Vec<fynlo_store::AuditEntry>, AppError> {
        Ok(self.store.audit_entries(limit, action).await?)
    }

    /// Outbox ops after sequence number `after`, at most `limit`, as the sync will push them.
    pub async fn outbox(&self, after: i64, limit: i64) -> Result<Vec<OutboxOp>, AppError> {
        Ok(self.store.outbox_after(after, limit).await?)
    }
}
