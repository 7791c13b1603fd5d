//! The payments area: cash, split bills, who served, tip options and fee quotes here; card and
//! pay-by-bank through the payment provider, refunds and recovery in [`provider`]; the QR code of a
//! pay-by-bank attempt's page in [`page`]. Each command's request
//! ([`request`]) becomes the core's command in one place; the reply is the order's view, or a view of
//! its own ([`view`]).

mod page;
mod provider;
pub mod request;
pub mod view;

/// The payment port the till calls, and the simulator a front door may choose (dev mode, tests).
pub use fynlo_payments::{PaymentProvider, SimulatedProvider};

use fynlo_core::{ids::PaymentId, order::OrderCommand, Minor};

use crate::{
    error::{AppError, ErrorCode},
    till::Till,
    view::{Amount, RecoveryView, Reply},
};
use request::{tip_choice, CashQuote, FeeQuote, SetServers, SplitBill, TakeCash, TipOptions};
use view::{CashQuoteView, FeeQuoteView, TipOptionsView, TipPresetView};

impl Till {
    pub(crate) async fn take_cash(&mut self, req: TakeCash) -> Result<Reply, AppError> {
        let payment = PaymentId::from_uuid(self.services.ids.new_id());
        let command = OrderCommand::TakeCash {
            payment,
            tendered: Minor::new(req.tendered),
            tip: Minor::new(req.tip.unwrap_or(0)),
            part: req.part,
        };
        self.run(req.order.as_deref(), command).await
    }

    /// What cash handed over would do (the change, before the guest lets go of it): the core works it
    /// out exactly as `take_cash` will.
    pub(crate) async fn cash_quote(&mut self, req: CashQuote) -> Result<Reply, AppError> {
        let id = self.resolve(req.order.as_deref())?;
        let order = &self.draft(id).await?.order;
        let quote = order.cash_quote(req.part, Minor::new(req.tendered), Minor::new(req.tip.unwrap_or(0)))?;
        Ok(Reply::CashQuote(CashQuoteView {
            due: quote.due.into(),
            amount: quote.amount.into(),
            tip: quote.tip.into(),
            change: quote.change.into(),
        }))
    }

    pub(crate) async fn split_bill(&mut self, req: SplitBill) -> Result<Reply, AppError> {
        self.run(req.order.as_deref(), OrderCommand::SetSplit(req.split.map(Into::into)))
            .await
    }

    pub(crate) async fn set_servers(&mut self, req: SetServers) -> Result<Reply, AppError> {
        let mut servers = Vec::with_capacity(req.staff.len());
        for id in &req.staff {
            let found = self
                .staff
                .iter()
                .find(|s| s.id.as_str() == id)
                .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("no member of staff {id:?}")))?;
            servers.push(found.id.clone());
        }
        self.run(req.order.as_deref(), OrderCommand::SetServers(servers)).await
    }

    /// What each tip button adds on a payment of the bill or of one part: the core works it out, the
    /// UI only shows it.
    pub(crate) async fn tip_options(&mut self, req: TipOptions) -> Result<Reply, AppError> {
        let custom = req.custom.map(|c| tip_choice(Some(c))).transpose()?;
        let id = self.resolve(req.order.as_deref())?;
        self.draft(id).await?;
        let policy = &self.restaurant.tips;
        let order = &self.drafts[&id].order;
        let (_, due) = order.due_for(req.part)?;
        let amount = match req.amount {
            Some(a) if a <= 0 => return Err(AppError::invalid("amount must be more than zero")),
            Some(a) => Minor::new(a),
            None => due,
        };
        let options = order.tip_options(policy, req.part, amount)?;
        let custom_tip = custom
            .map(|choice| order.tip_for(policy, choice, req.part, amount))
            .transpose()?;
        Ok(Reply::TipOptions(TipOptionsView {
            enabled: policy.enabled,
            custom: policy.custom,
            amount: amount.into(),
            base: options.base.into(),
            presets: options
                .presets
                .into_iter()
                .map(|(rate, tip)| TipPresetView {
                    rate_bp: rate.get(),
                    tip: tip.into(),
                })
                .collect(),
            custom_tip: custom_tip.map(Amount::from),
        }))
    }

    /// What each method would cost on the order's balance (or on `amount`).
    pub(crate) async fn fee_quote(&mut self, req: FeeQuote) -> Result<Reply, AppError> {
        let amount = match req.amount {
            Some(a) if a < 0 => return Err(AppError::invalid("amount must not be negative")),
            Some(a) => Minor::new(a),
            None => {
                let id = self.resolve(req.order.as_deref())?;
                self.draft(id).await?.order.balance()?
            }
        };
        let quote = self.restaurant.fees.quote(amount)?;
        Ok(Reply::FeeQuote(FeeQuoteView::new(
            &quote,
            self.restaurant.customer_pays_fee,
        )?))
    }

    pub(crate) async fn recover_payments(&mut self) -> Result<Reply, AppError> {
        Ok(Reply::Recovered(self.recover_in_flight().await?))
    }

    /// Asks the provider about every payment and refund still in flight and records what it says,
    /// as the system — what `recover_payments` does, for the front door and the sync to run when the
    /// provider becomes reachable (the cloud says a payment moved), whether or not anyone is logged in:
    /// it only records what the provider did.
    pub async fn recover_in_flight(&mut self) -> Result<RecoveryView, AppError> {
        self.save().await?;
        self.recover().await
    }
}
