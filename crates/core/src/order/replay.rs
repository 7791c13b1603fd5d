//! An order rebuilt from its events: [`Order::replay`] folds a history from its first event, and
//! [`Order::apply`] moves an order on by one event — the only way an order ever changes.

use std::sync::Arc;

use super::{Order, OrderEvent, OrderState, PriceCache, ServiceCharge, Void};
use crate::{payment::PaymentStatus, time::Timestamp, Error, Result};

impl Order {
    /// Rebuilds an order from its history.
    pub fn replay<'a>(events: impl IntoIterator<Item = (&'a OrderEvent, Timestamp)>) -> Result<Order> {
        let mut events = events.into_iter();
        let (first, at) = events.next().ok_or(Error::InvalidField {
            field: "history",
            reason: "an order's history starts with its opening".into(),
        })?;
        let mut order = match first {
            OrderEvent::Opened {
                id,
                number,
                business_date,
                device,
                currency,
                kind,
                service_charge,
                staff,
            } => Order {
                id: *id,
                number: *number,
                business_date: business_date.clone(),
                device: *device,
                currency: *currency,
                kind: kind.clone(),
                state: OrderState::Pending,
                parked: false,
                lines: Vec::new(),
                discount: None,
                service_charge: ServiceCharge {
                    policy: *service_charge,
                    removed: None,
                },
                payments: Vec::new(),
                refunds: Vec::new(),
                split: None,
                splits: 0,
                servers: vec![staff.clone()],
                opened_by: staff.clone(),
                opened_at: at,
                updated_at: at,
                cancel_reason: None,
                closed_at: None,
                version: 1,
                next_line: 1,
                priced: PriceCache::default(),
            },
            _ => {
                return Err(Error::InvalidField {
                    field: "history",
                    reason: "an order's history starts with its opening".into(),
                })
            }
        };
        for (event, at) in events {
            order.apply(event, at);
        }
        Ok(order)
    }

    /// Applies one event. Events come from [`Order::execute`], which has checked them, so applying
    /// cannot fail; an event that names a missing line changes nothing but the version.
    pub fn apply(&mut self, event: &OrderEvent, at: Timestamp) {
        self.version += 1;
        self.updated_at = at;
        // What the order costs depends only on what `changes_price` names, and its split bill on that
        // and the split itself; anything else (payments, the kitchen, parking) keeps what was worked out.
        if event.changes_price() {
            self.split = None;
            self.priced = PriceCache::default();
        } else if matches!(event, OrderEvent::SplitSet { .. }) {
            self.priced.bill = std::sync::OnceLock::new();
        }
        match event {
            OrderEvent::Opened { .. } | OrderEvent::Approved { .. } => {}
            OrderEvent::LineAdded { line } => {
                self.next_line = self.next_line.max(line.no.get().saturating_add(1));
                self.lines.push(Arc::new(line.clone()));
            }
            OrderEvent::LineChanged { line } => {
                if let Some(slot) = self.lines.iter_mut().find(|l| l.no == line.no) {
                    *slot = Arc::new(line.clone());
                }
            }
            OrderEvent::LineRemoved { line } => self.lines.retain(|l| l.no != *line),
            OrderEvent::LineVoided { line, reason, by, .. } => {
                if let Some(slot) = self.lines.iter_mut().find(|l| l.no == *line) {
                    Arc::make_mut(slot).void = Some(Void {
                        reason: reason.clone(),
                        by: by.clone(),
                        at,
                    });
                }
            }
            OrderEvent::LineDiscountSet { line, discount, .. } => {
                if let Some(slot) = self.lines.iter_mut().find(|l| l.no == *line) {
                    Arc::make_mut(slot).discount.clone_from(discount);
                }
            }
            OrderEvent::OrderDiscountSet { discount, .. } => self.discount.clone_from(discount),
            OrderEvent::PriceOverridden { line, price } => {
                if let Some(slot) = self.lines.iter_mut().find(|l| l.no == *line) {
                    Arc::make_mut(slot).price_override.clone_from(price);
                }
            }
            OrderEvent::ServiceChargeSet { removed, .. } => self.service_charge.removed.clone_from(removed),
            OrderEvent::SplitSet { split } => {
                if let Some(s) = split {
                    self.splits = self.splits.max(s.seq);
                }
                self.split.clone_from(split);
            }
            OrderEvent::ServersSet { servers } => self.servers.clone_from(servers),
            OrderEvent::PaymentStarted { payment } | OrderEvent::PaymentRecorded { payment } => {
                self.payments.push(payment.clone());
            }
            OrderEvent::PaymentUpdated {
                payment,
                status,
                provider_ref,
                note,
                fee,
            } => {
                if let Some(p) = self.payments.iter_mut().find(|p| p.id == *payment) {
                    p.status = *status;
                    if provider_ref.is_some() {
                        p.provider_ref.clone_from(provider_ref);
                    }
                    p.note.clone_from(note);
                    if *status == PaymentStatus::Succeeded {
                        p.fee = *fee;
                    }
                }
            }
            OrderEvent::RefundStarted { refund } => self.refunds.push(refund.clone()),
            OrderEvent::RefundUpdated {
                refund,
                status,
                provider_ref,
                note,
            } => {
                if let Some(r) = self.refunds.iter_mut().find(|r| r.id == *refund) {
                    r.status = *status;
                    if provider_ref.is_some() {
                        r.provider_ref.clone_from(provider_ref);
                    }
                    r.note.clone_from(note);
                }
            }
            OrderEvent::KindChanged { kind, .. } => self.kind = kind.clone(),
            OrderEvent::SentToKitchen { lines } => {
                for slot in self.lines.iter_mut().filter(|l| lines.contains(&l.no)) {
                    Arc::make_mut(slot).sent = true;
                }
                if self.state == OrderState::Pending {
                    self.state = OrderState::Confirmed;
                }
            }
            OrderEvent::StatusChanged { to } => self.state = *to,
            OrderEvent::Parked => self.parked = true,
            OrderEvent::Resumed => self.parked = false,
            OrderEvent::Completed => {
                self.state = OrderState::Completed;
                self.closed_at = Some(at);
                self.parked = false;
            }
            OrderEvent::Cancelled { reason, .. } => {
                self.state = OrderState::Cancelled;
                self.closed_at = Some(at);
                self.parked = false;
                self.cancel_reason = Some(reason.clone());
            }
            OrderEvent::Renumbered { number, .. } => self.number = *number,
        }
    }
}
