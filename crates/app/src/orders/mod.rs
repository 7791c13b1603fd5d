//! The orders area: opening orders, their lines, discounts, service charge, the kitchen, parking, and
//! the lists and history of orders. Each command's request ([`request`]) becomes the core's command in
//! one place; the core checks it; the reply is the order's view ([`view`]).

pub mod request;
pub mod view;

use fynlo_core::{
    ids::{LineNo, OrderId, ProductId},
    order::{line_for, Ctx, LineRequest, Order, OrderCommand, OrderState},
    Minor,
};
use fynlo_store::Recorded;

use crate::{
    error::{AppError, ErrorCode},
    till::{Draft, Till},
    view::Reply,
};
use request::{
    check_alias, AddLine, Cancel, ChangeLine, DiscountQuote, LineQuote, OpenOrder, OrderRef, OverridePrice,
    RecentOrders, RemoveLine, Resume, SetLineDiscount, SetOrderDiscount, SetOrderType, SetServiceCharge, SetStatus,
    VoidLine,
};
use view::{DiscountQuoteView, HistoryView, LineQuoteView, OrderView, OrdersView};

impl Till {
    pub(crate) async fn open_order(&mut self, req: OpenOrder) -> Result<Reply, AppError> {
        let staff = self.require_staff()?.id.clone();
        if let Some(a) = &req.alias {
            check_alias(a)?;
            if self.session.aliases.contains_key(a) {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("alias {a:?} is already in use"),
                ));
            }
        }
        // Switching to a new order saves the one being worked on.
        self.save_drafts().await?;
        let ctx = Ctx::new(self.services.clock.now(), staff);
        let date = self.restaurant.business_date(self.services.clock.now());
        let number = match self.numbers.get(&date) {
            Some(last) => last + 1,
            None => self.store.next_order_number(&date).await?,
        };
        let open = fynlo_core::order::OpenOrder {
            id: OrderId::from_uuid(self.services.ids.new_id()),
            number,
            business_date: date.clone(),
            device: self.store.device(),
            currency: self.restaurant.currency,
            kind: req.kind.into(),
            service_charge: self.restaurant.service_charge,
        };
        let (order, event) = Order::open(open, &ctx)?;
        self.numbers.insert(date, number);
        let id = order.id();
        self.drafts.insert(
            id,
            Draft {
                order,
                unsaved: vec![Recorded {
                    event,
                    staff: ctx.staff,
                    at: ctx.at,
                }],
                stored: false,
            },
        );
        self.session.current = Some(id);
        if let Some(a) = req.alias {
            self.session.aliases.insert(a, id);
        }
        self.order_reply(id)
    }

    pub(crate) async fn add_line(&mut self, req: AddLine) -> Result<Reply, AppError> {
        let product = self.find_product(req.product.as_ref(), req.sku.as_ref(), req.barcode.as_ref())?;
        let (variant, modifiers) = request::choices(req.variant.as_ref(), req.modifiers.as_ref())?;
        let line = LineRequest {
            product: Some(product),
            variant,
            modifiers,
            quantity: req.quantity.unwrap_or(1),
            note: req.note,
            course: req.course.map(Into::into),
            seat: req.seat,
        };
        self.run(req.order.as_deref(), OrderCommand::AddLine(line)).await
    }

    pub(crate) async fn change_line(&mut self, mut req: ChangeLine) -> Result<Reply, AppError> {
        let (order, approval) = (req.order.take(), req.approval.take());
        let (line, change) = req.into_core()?;
        self.run_approved(order.as_deref(), OrderCommand::ChangeLine { line, change }, approval)
            .await
    }

    pub(crate) async fn remove_line(&mut self, req: RemoveLine) -> Result<Reply, AppError> {
        let command = OrderCommand::RemoveLine(LineNo::new(req.line));
        self.run_approved(req.order.as_deref(), command, req.approval).await
    }

    pub(crate) async fn void_line(&mut self, req: VoidLine) -> Result<Reply, AppError> {
        let command = OrderCommand::VoidLine {
            line: LineNo::new(req.line),
            reason: req.reason,
        };
        self.run_approved(req.order.as_deref(), command, req.approval).await
    }

    pub(crate) async fn set_line_discount(&mut self, req: SetLineDiscount) -> Result<Reply, AppError> {
        let command = OrderCommand::SetLineDiscount {
            line: LineNo::new(req.line),
            discount: req.discount.map(request::DiscountInput::into_core).transpose()?,
        };
        self.run_approved(req.order.as_deref(), command, req.approval).await
    }

    pub(crate) async fn set_order_discount(&mut self, req: SetOrderDiscount) -> Result<Reply, AppError> {
        let discount = req.discount.map(request::DiscountInput::into_core).transpose()?;
        self.run_approved(
            req.order.as_deref(),
            OrderCommand::SetOrderDiscount(discount),
            req.approval,
        )
        .await
    }

    pub(crate) async fn override_price(&mut self, req: OverridePrice) -> Result<Reply, AppError> {
        let command = OrderCommand::OverridePrice {
            line: LineNo::new(req.line),
            unit_price: req.unit_price.map(Minor::new),
            reason: req.reason,
        };
        self.run_approved(req.order.as_deref(), command, req.approval).await
    }

    pub(crate) async fn set_service_charge(&mut self, req: SetServiceCharge) -> Result<Reply, AppError> {
        let command = OrderCommand::SetServiceCharge {
            enabled: req.enabled,
            reason: req.reason,
        };
        self.run_approved(req.order.as_deref(), command, req.approval).await
    }

    pub(crate) async fn set_order_type(&mut self, req: SetOrderType) -> Result<Reply, AppError> {
        let command = OrderCommand::SetKind {
            kind: req.kind.into(),
            reason: req.reason,
        };
        self.run_approved(req.order.as_deref(), command, req.approval).await
    }

    pub(crate) async fn send_to_kitchen(&mut self, req: OrderRef) -> Result<Reply, AppError> {
        self.run(req.order.as_deref(), OrderCommand::SendToKitchen).await
    }

    pub(crate) async fn set_status(&mut self, req: SetStatus) -> Result<Reply, AppError> {
        let to: OrderState = req.status.into();
        self.run(req.order.as_deref(), OrderCommand::SetStatus(to)).await
    }

    pub(crate) async fn park(&mut self, req: OrderRef) -> Result<Reply, AppError> {
        self.run(req.order.as_deref(), OrderCommand::Park).await
    }

    pub(crate) async fn resume(&mut self, req: Resume) -> Result<Reply, AppError> {
        let id = self.resolve(Some(&req.order))?;
        if self.session.current != Some(id) {
            self.save_drafts().await?;
        }
        let order = &self.draft(id).await?.order;
        if order.state().is_closed() {
            return Err(fynlo_core::Error::OrderClosed(order.state()).into());
        }
        if order.parked() {
            return self.run(Some(&req.order), OrderCommand::Resume).await;
        }
        self.session.current = Some(id);
        self.order_reply(id)
    }

    pub(crate) async fn show_order(&mut self, req: OrderRef) -> Result<Reply, AppError> {
        let id = self.resolve(req.order.as_deref())?;
        self.draft(id).await?;
        self.order_reply(id)
    }

    pub(crate) async fn open_orders(&mut self) -> Result<Reply, AppError> {
        self.save().await?;
        let orders = self.store.open_orders().await?;
        let mut reply = self.orders_reply(&orders)?;
        // Orders other tills own, as the cloud last sent them (docs/sync.md).
        if let Reply::Orders(list) = &mut reply {
            for remote in self.store.remote_open_orders().await? {
                let mut view = OrderView::new(&remote.order, None, true)?;
                view.remote = true;
                list.orders.push(view);
            }
        }
        Ok(reply)
    }

    pub(crate) async fn recent_orders(&mut self, req: RecentOrders) -> Result<Reply, AppError> {
        let limit = req.limit.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(AppError::invalid("limit must be 1 to 100"));
        }
        self.save().await?;
        let orders = self.store.recent_orders(limit).await?;
        self.orders_reply(&orders)
    }

    pub(crate) async fn complete(&mut self, req: OrderRef) -> Result<Reply, AppError> {
        self.run(req.order.as_deref(), OrderCommand::Complete).await
    }

    pub(crate) async fn cancel(&mut self, req: Cancel) -> Result<Reply, AppError> {
        self.run_approved(
            req.order.as_deref(),
            OrderCommand::Cancel { reason: req.reason },
            req.approval,
        )
        .await
    }

    pub(crate) async fn history(&mut self, req: OrderRef) -> Result<Reply, AppError> {
        let id = self.resolve(req.order.as_deref())?;
        self.save_order(id).await?;
        let order = self.store.order(id).await?;
        let entries = self.store.history(id).await?;
        Ok(Reply::History(HistoryView::new(&order, &entries)))
    }

    /// Runs an order command with the approval the cashier's command carried, if any (see
    /// [`Till::approver`]: a manager logged in approves their own commands).
    pub(crate) async fn run_approved(
        &mut self,
        order: Option<&str>,
        command: OrderCommand,
        approval: Option<crate::session::request::ApprovalInput>,
    ) -> Result<Reply, AppError> {
        let approver = self.approver(approval).await?;
        let staff = self.require_staff()?.id.clone();
        self.run_as(order, command, staff, approver).await
    }

    fn orders_reply(&self, orders: &[Order]) -> Result<Reply, AppError> {
        let orders = orders
            .iter()
            .map(|o| OrderView::new(o, self.alias_of(o.id()), true))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Reply::Orders(OrdersView { orders }))
    }

    /// A line's price before it is added: exactly what `add_line` would add.
    pub(crate) fn line_quote(&self, req: &LineQuote) -> Result<Reply, AppError> {
        let product = self.find_product(req.product.as_ref(), req.sku.as_ref(), req.barcode.as_ref())?;
        let (variant, modifiers) = request::choices(req.variant.as_ref(), req.modifiers.as_ref())?;
        let request = LineRequest {
            product: Some(product),
            variant,
            modifiers,
            quantity: req.quantity.unwrap_or(1),
            ..LineRequest::default()
        };
        let line = line_for(&request, &self.catalog, LineNo::new(1))?;
        Ok(Reply::LineQuote(LineQuoteView {
            product: line.product.to_string(),
            name: line.name.clone(),
            unit_price: line.unit_price()?.into(),
            quantity: line.quantity,
            gross: line.gross()?.into(),
        }))
    }

    /// What a discount would take off and whether it needs a manager — worked out by trying it on the
    /// order (nothing is kept).
    pub(crate) async fn discount_quote(&mut self, req: DiscountQuote) -> Result<Reply, AppError> {
        let me = self.require_staff()?.id.clone();
        let id = self.resolve(req.order.as_deref())?;
        // The reason is checked when the discount is given; a quote comes before one is typed.
        let discount = req.discount.or_reason("quote").into_core()?;
        let command = match req.line {
            Some(no) => OrderCommand::SetLineDiscount {
                line: LineNo::new(no),
                discount: Some(discount),
            },
            None => OrderCommand::SetOrderDiscount(Some(discount)),
        };
        // Whether the one logged in needs someone else: they approve for themselves what their role may.
        let member = self.require_staff()?.clone();
        let as_me = self.ctx(me.clone(), self.grants_of(&member).any().then(|| me.clone()));
        // What it would take off, whoever approves it (nothing is kept).
        let mut with_manager = self.ctx(me.clone(), Some(me));
        with_manager.grants = fynlo_core::permission::Permissions::all();
        self.draft(id).await?;
        let order = &self.drafts[&id].order;
        let needs_approval = match order.execute(&command, &self.catalog, &as_me) {
            Ok(_) => false,
            Err(fynlo_core::Error::ApprovalRequired(_) | fynlo_core::Error::NotPermitted(_)) => true,
            Err(e) => return Err(e.into()),
        };
        let (next, _) = order.execute(&command, &self.catalog, &with_manager)?;
        let totals = next.priced()?;
        let (base, amount) = match req.line {
            Some(no) => {
                let row = totals
                    .lines
                    .iter()
                    .find(|r| r.line == LineNo::new(no))
                    .ok_or(fynlo_core::Error::UnknownLine(LineNo::new(no)))?;
                (row.gross, row.line_discount)
            }
            None => (
                totals.subtotal.checked_sub(totals.line_discounts)?,
                totals.order_discount,
            ),
        };
        Ok(Reply::DiscountQuote(DiscountQuoteView {
            base: base.into(),
            amount: amount.into(),
            needs_approval,
        }))
    }

    fn find_product(
        &self,
        product: Option<&String>,
        sku: Option<&String>,
        barcode: Option<&String>,
    ) -> Result<ProductId, AppError> {
        let found = match (product, sku, barcode) {
            (Some(id), None, None) => self.catalog.product(&ProductId::new(id.clone())?)?,
            (None, Some(sku), None) => self.catalog.product_by_sku(sku)?,
            (None, None, Some(code)) => self.catalog.product_by_barcode(code.trim())?,
            _ => {
                return Err(AppError::invalid(
                    "name the product by exactly one of product, sku or barcode",
                ))
            }
        };
        Ok(found.id.clone())
    }
}
