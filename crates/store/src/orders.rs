//! Orders in the database, written: each save is one journal row ([`crate::save`]), and the summary,
//! payment and refund rows follow a batch at a time ([`crate::project`]). Reading is in [`crate::read`].

use fynlo_core::{
    ids::StaffId,
    order::{Order, OrderEvent},
    time::{BusinessDate, IdSource, Timestamp},
};
use serde::Serialize;

use crate::{project, save, Result, Store, Write};

/// A payment row as the store keeps it: for cost reports, tips and reconciling with the providers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentRow {
    /// Our payment id.
    pub id: String,
    /// Its order.
    pub order_id: String,
    /// cash, card or `pay_by_bank`.
    pub tender: String,
    /// Its state.
    pub status: String,
    /// Applied to the bill.
    pub amount: i64,
    /// Tip on top.
    pub tip: i64,
    /// Processing fee.
    pub fee_processing: i64,
    /// Platform fee.
    pub fee_platform: i64,
    /// The provider's id.
    pub provider_ref: Option<String>,
}

/// One entry of an order's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// The order's version after this event.
    pub version: u64,
    /// The event.
    pub event: OrderEvent,
    /// Who did it.
    pub staff: String,
    /// When.
    pub at: Timestamp,
}

/// An event with who made it and when: what [`Store::save_order`] writes to the history and the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The event.
    pub event: OrderEvent,
    /// Who.
    pub staff: StaffId,
    /// When.
    pub at: Timestamp,
}

impl Store {
    /// Saves an order and the events that made it since it was last saved (`new` when it was never
    /// saved): one journal row — its history and its outbox op — in one durable transaction; its
    /// summary, payment and refund rows follow with the next batch ([`crate::project`]). The stored
    /// version must be the one the first event was decided on, or nothing is written.
    pub async fn save_order(&self, order: &Order, new: bool, events: &[Recorded], ids: &dyn IdSource) -> Result<()> {
        self.save_order_with_jobs(order, new, events, &[], ids).await
    }

    /// [`Store::save_order`], with the print jobs the save causes inserted in the same durable
    /// transaction: both are on disk, or neither is. (Nothing is written when there are no events.)
    pub async fn save_order_with_jobs(
        &self,
        order: &Order,
        new: bool,
        events: &[Recorded],
        jobs: &[crate::NewJob],
        ids: &dyn IdSource,
    ) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        self.writable()?;
        let mut inner = self.inner.lock().await;
        save::record(&mut inner, order, new, events, jobs, ids).await?;
        if inner.pending.len() >= project::SETTLE_AFTER {
            // The save is on disk whatever happens here. If applying the batch fails, the saves stay
            // waiting and the error comes back from the next settle or read.
            let _ = project::settle(&mut inner).await;
        }
        Ok(())
    }

    /// Opens a new order and saves it at once: takes the next number for this device and business day,
    /// lets `build` make the order with it, and stores the order, its first event and its outbox row.
    pub async fn open_order<F>(&self, date: &BusinessDate, w: &Write<'_>, build: F) -> Result<Order>
    where
        F: FnOnce(u32) -> fynlo_core::Result<(Order, OrderEvent)>,
    {
        let (order, event) = build(self.next_order_number(date).await?)?;
        let recorded = [Recorded {
            event,
            staff: w.staff.clone(),
            at: w.at,
        }];
        self.save_order(&order, true, &recorded, w.ids).await?;
        Ok(order)
    }

    /// Saves the events of one command on a stored order and the order they produced.
    pub async fn append(&self, order: &Order, events: &[OrderEvent], w: &Write<'_>) -> Result<()> {
        let recorded: Vec<Recorded> = events
            .iter()
            .map(|event| Recorded {
                event: event.clone(),
                staff: w.staff.clone(),
                at: w.at,
            })
            .collect();
        self.save_order(order, false, &recorded, w.ids).await
    }
}
