//! The till: a store, a clock, an id source, the cached menu and settings, the session (who is logged in,
//! which order is current, aliases), and the open orders it works on. [`Till::execute`] runs one
//! [`Command`].
//!
//! # When an order is saved
//!
//! A sale is saved in one durable transaction. Edits to an order being built — lines, quantities, notes,
//! discounts, service charge, dine-in or takeaway, and opening it — are kept in memory and answered at
//! once (`saved: false` in the reply); they are saved, with everything before them, as soon as the world
//! acts on the order: a payment, completion or cancellation, sending to the kitchen, a void, a kitchen
//! status, parking or resuming. They are also saved when the till switches to another order or member
//! of staff, on logout, on `open_orders` and `history`, and whenever the front door calls
//! [`Till::save`] (the CLI at the end of a script; the app when it goes idle or closes), which also
//! lets the store bring its summary tables up to date with its journal. A till that is killed loses at
//! most the unsaved edits of the orders being built; nothing it reported as saved, and no payment, is
//! ever lost.

use std::{collections::HashMap, path::Path, sync::Arc};

use fynlo_core::{
    catalog::Catalog,
    ids::{LineNo, ModifierId, OrderId, PaymentId, ProductId, StaffId, VariantId},
    order::{Ctx, LineChange, LineRequest, OpenOrder, Order, OrderCommand, OrderEvent, OrderState},
    settings::Restaurant,
    staff::{Pin, Staff},
    time::{BusinessDate, Clock, IdSource, Timestamp},
    Minor,
};
use fynlo_store::{Recorded, Store, Write};

mod input;
mod pay;

use input::{check_alias, course_of, discount_of, kind_of};

use crate::{
    auth,
    command::{ApprovalInput, Command, KitchenStatus, OrderKindInput},
    error::{AppError, ErrorCode},
    provider::{PaymentProvider, SimulatedProvider},
    setup,
    view::{HistoryView, MenuView, OrderView, OrdersView, RecoveryView, Reply, SessionView, StaffView},
};

/// Wrong PINs are counted over this window (lockout itself comes with staff management).
const PIN_WINDOW_MS: i64 = 15 * 60 * 1000;

/// A running till.
pub struct Till {
    store: Store,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    restaurant: Restaurant,
    catalog: Catalog,
    menu_version: i64,
    staff: Vec<Staff>,
    session: Session,
    /// Open orders this till has worked on, with their changes not yet saved.
    drafts: HashMap<OrderId, Draft>,
    /// The last order number given out per business day.
    numbers: HashMap<BusinessDate, u32>,
    /// The card and pay-by-bank provider.
    provider: Arc<dyn PaymentProvider>,
    /// What recovery found when the till opened.
    recovered: RecoveryView,
}

/// An open order as this till knows it: its latest state and the events since it was last saved.
#[derive(Clone)]
struct Draft {
    order: Order,
    unsaved: Vec<Recorded>,
    stored: bool,
}

impl Draft {
    /// Completed or cancelled, and saved: the store has it, and the till need not keep it.
    fn finished(&self) -> bool {
        self.order.state().is_closed() && self.unsaved.is_empty()
    }
}

/// Events the world acts on at once — money, the kitchen, the open-orders list — are saved before the
/// till answers. Other edits to an order being built (lines, discounts, notes) wait for the next of these,
/// for a switch to another order, for logout, or for [`Till::save`].
fn saves_at_once(event: &OrderEvent) -> bool {
    event.moves_money()
        || matches!(
            event,
            OrderEvent::SentToKitchen { .. }
                | OrderEvent::LineVoided { .. }
                | OrderEvent::StatusChanged { .. }
                | OrderEvent::Parked
                | OrderEvent::Resumed
        )
}

#[derive(Default)]
struct Session {
    staff: Option<Staff>,
    current: Option<OrderId>,
    aliases: HashMap<String, OrderId>,
}

impl Till {
    /// Opens the till database at `path`, with the payment simulator keeping its records beside it
    /// (`<database>.sim-provider.json`), and resumes or abandons any payment left in flight.
    pub async fn open(path: &Path, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>) -> Result<Till, AppError> {
        let store = Store::open(path).await?;
        let mut sim = path.as_os_str().to_owned();
        sim.push(".sim-provider.json");
        let provider = Arc::new(SimulatedProvider::at(Path::new(&sim)));
        let mut till = Till::with_store(store, clock, ids).await?.with_provider(provider);
        till.recovered = till.recover().await?;
        Ok(till)
    }

    /// Uses another payment provider.
    pub fn with_provider(mut self, provider: Arc<dyn PaymentProvider>) -> Till {
        self.provider = provider;
        self
    }

    /// What recovery found when the till opened: attempts resumed or abandoned.
    pub fn recovered(&self) -> &RecoveryView {
        &self.recovered
    }

    /// Runs a till on an open store.
    pub async fn with_store(store: Store, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>) -> Result<Till, AppError> {
        let restaurant = store
            .restaurant()
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::NotInitialised, "the till has no restaurant settings"))?;
        let (menu_version, catalog) = store
            .menu()
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::NotInitialised, "the till has no menu"))?;
        let staff = store.staff().await?;
        Ok(Till {
            store,
            clock,
            ids,
            restaurant,
            catalog,
            menu_version,
            staff,
            session: Session::default(),
            drafts: HashMap::new(),
            numbers: HashMap::new(),
            provider: Arc::new(SimulatedProvider::in_memory()),
            recovered: RecoveryView { attempts: Vec::new() },
        })
    }

    /// The store, for views and tools that read it directly.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Gives the store back, ending the till.
    pub fn into_store(self) -> Store {
        self.store
    }

    /// Imports a new menu version and starts using it.
    pub async fn import_menu(&mut self, json: &str) -> Result<i64, AppError> {
        let version = setup::import_menu(&self.store, json, self.clock.as_ref(), self.ids.as_ref()).await?;
        if let Some((v, catalog)) = self.store.menu().await? {
            self.menu_version = v;
            self.catalog = catalog;
        }
        Ok(version)
    }

    /// Runs one command. On error nothing has changed, except that a wrong PIN is recorded for the audit trail.
    pub async fn execute(&mut self, command: Command) -> Result<Reply, AppError> {
        // A locked till answers every order command with `not_logged_in` before looking at its fields, so
        // it never tells a passer-by which products, orders or aliases exist.
        if !matches!(
            command,
            Command::Login { .. } | Command::Logout | Command::Whoami | Command::Menu
        ) {
            self.require_staff()?;
        }
        match command {
            Command::Login { pin, staff } => self.login(&pin, staff.as_deref()).await,
            Command::Logout => {
                self.save().await?;
                self.session.staff = None;
                self.session.current = None;
                Ok(self.session_reply())
            }
            Command::Whoami => Ok(self.session_reply()),
            Command::Menu => Ok(Reply::Menu(MenuView::new(
                &self.restaurant,
                self.menu_version,
                &self.catalog,
            ))),
            Command::OpenOrder { kind, alias } => self.open_order(kind, alias).await,
            Command::AddLine {
                order,
                product,
                sku,
                barcode,
                variant,
                modifiers,
                quantity,
                note,
                course,
                seat,
            } => {
                let product = self.find_product(product, sku, barcode)?;
                let request = LineRequest {
                    product: Some(product),
                    variant: variant.map(VariantId::new).transpose()?,
                    modifiers: modifiers
                        .unwrap_or_default()
                        .into_iter()
                        .map(ModifierId::new)
                        .collect::<Result<_, _>>()?,
                    quantity: quantity.unwrap_or(1),
                    note,
                    course: course.map(course_of),
                    seat,
                };
                self.run(order, OrderCommand::AddLine(request)).await
            }
            Command::ChangeLine {
                order,
                line,
                quantity,
                note,
                course,
                seat,
                clear,
            } => {
                let clear = clear.unwrap_or_default();
                if let Some(bad) = clear.iter().find(|f| !matches!(f.as_str(), "note" | "course" | "seat")) {
                    return Err(AppError::invalid(format!("clear: {bad:?} is not note, course or seat")));
                }
                let cleared = |field: &str| clear.iter().any(|f| f == field);
                let change = LineChange {
                    quantity,
                    note: if cleared("note") { Some(None) } else { note.map(Some) },
                    course: if cleared("course") {
                        Some(None)
                    } else {
                        course.map(|c| Some(course_of(c)))
                    },
                    seat: if cleared("seat") { Some(None) } else { seat.map(Some) },
                };
                self.run(
                    order,
                    OrderCommand::ChangeLine {
                        line: LineNo::new(line),
                        change,
                    },
                )
                .await
            }
            Command::RemoveLine { order, line } => self.run(order, OrderCommand::RemoveLine(LineNo::new(line))).await,
            Command::VoidLine {
                order,
                line,
                reason,
                approval,
            } => {
                self.run_with(
                    order,
                    OrderCommand::VoidLine {
                        line: LineNo::new(line),
                        reason,
                    },
                    approval,
                )
                .await
            }
            Command::SetLineDiscount {
                order,
                line,
                discount,
                approval,
            } => {
                let discount = discount.map(discount_of).transpose()?;
                self.run_with(
                    order,
                    OrderCommand::SetLineDiscount {
                        line: LineNo::new(line),
                        discount,
                    },
                    approval,
                )
                .await
            }
            Command::SetOrderDiscount {
                order,
                discount,
                approval,
            } => {
                let discount = discount.map(discount_of).transpose()?;
                self.run_with(order, OrderCommand::SetOrderDiscount(discount), approval)
                    .await
            }
            Command::OverridePrice {
                order,
                line,
                unit_price,
                reason,
                approval,
            } => {
                self.run_with(
                    order,
                    OrderCommand::OverridePrice {
                        line: LineNo::new(line),
                        unit_price: unit_price.map(Minor::new),
                        reason,
                    },
                    approval,
                )
                .await
            }
            Command::SetServiceCharge {
                order,
                enabled,
                reason,
                approval,
            } => {
                self.run_with(order, OrderCommand::SetServiceCharge { enabled, reason }, approval)
                    .await
            }
            Command::SetOrderType { order, kind } => self.run(order, OrderCommand::SetKind(kind_of(kind))).await,
            Command::SendToKitchen { order } => self.run(order, OrderCommand::SendToKitchen).await,
            Command::SetStatus { order, status } => {
                let to = match status {
                    KitchenStatus::Preparing => OrderState::Preparing,
                    KitchenStatus::Ready => OrderState::Ready,
                    KitchenStatus::Served => OrderState::Served,
                };
                self.run(order, OrderCommand::SetStatus(to)).await
            }
            Command::Park { order } => self.run(order, OrderCommand::Park).await,
            Command::Resume { order } => self.resume(&order).await,
            Command::ShowOrder { order } => {
                let id = self.resolve(order.as_deref())?;
                let draft = self.draft(id).await?;
                self.order_reply(&draft)
            }
            Command::OpenOrders => {
                self.save().await?;
                let orders = self.store.open_orders().await?;
                let views = orders
                    .iter()
                    .map(|o| OrderView::new(o, self.alias_of(o.id()), true))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Reply::Orders(OrdersView { orders: views }))
            }
            Command::TakeCash {
                order,
                tendered,
                tip,
                part,
            } => {
                let payment = PaymentId::from_uuid(self.ids.new_id());
                self.run(
                    order,
                    OrderCommand::TakeCash {
                        payment,
                        tendered: Minor::new(tendered),
                        tip: Minor::new(tip.unwrap_or(0)),
                        part,
                    },
                )
                .await
            }
            Command::Pay {
                order,
                tender,
                amount,
                tip,
                part,
                simulate,
            } => self.pay(order, tender, amount, tip, part, simulate).await,
            Command::CheckPayment { order, payment } => self.check_payment(order, &payment, false).await,
            Command::CancelPayment { order, payment } => self.check_payment(order, &payment, true).await,
            Command::SplitBill { order, split } => {
                let plan = split.map(input::split_of).transpose()?;
                self.run(order, OrderCommand::SetSplit(plan)).await
            }
            Command::SetServers { order, staff } => {
                let mut servers = Vec::with_capacity(staff.len());
                for id in staff {
                    let found = self
                        .staff
                        .iter()
                        .find(|s| s.id.as_str() == id)
                        .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("no member of staff {id:?}")))?;
                    servers.push(found.id.clone());
                }
                self.run(order, OrderCommand::SetServers(servers)).await
            }
            Command::Refund {
                order,
                payment,
                amount,
                lines,
                reason,
                approval,
            } => self.refund(&order, &payment, amount, lines, reason, approval).await,
            Command::FeeQuote { order, amount } => self.fee_quote(order, amount).await,
            Command::RecentOrders { limit } => {
                self.save().await?;
                let limit = limit.unwrap_or(20);
                if !(1..=100).contains(&limit) {
                    return Err(AppError::invalid("limit must be 1 to 100"));
                }
                let orders = self.store.recent_orders(limit).await?;
                let views = orders
                    .iter()
                    .map(|o| OrderView::new(o, self.alias_of(o.id()), true))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Reply::Orders(OrdersView { orders: views }))
            }
            Command::RecoverPayments => {
                self.save().await?;
                Ok(Reply::Recovered(self.recover().await?))
            }
            Command::Complete { order } => self.run(order, OrderCommand::Complete).await,
            Command::Cancel { order, reason } => self.run(order, OrderCommand::Cancel { reason }).await,
            Command::History { order } => {
                let id = self.resolve(order.as_deref())?;
                self.save_order(id).await?;
                let order = self.store.order(id).await?;
                let entries = self.store.history(id).await?;
                Ok(Reply::History(HistoryView::new(&order, &entries)))
            }
        }
    }

    async fn login(&mut self, pin: &str, staff: Option<&str>) -> Result<Reply, AppError> {
        let candidates: Vec<Staff> = match staff {
            Some(id) => self.staff.iter().filter(|s| s.id.as_str() == id).cloned().collect(),
            None => self.staff.clone(),
        };
        let found = Pin::new(pin)
            .map_err(AppError::from)
            .and_then(|pin| auth::find_staff(&candidates, &pin).cloned());
        match found {
            Ok(member) => {
                self.save_drafts().await?;
                self.session = Session {
                    staff: Some(member),
                    ..Session::default()
                };
                Ok(self.session_reply())
            }
            Err(e) if e.code == ErrorCode::WrongPin => Err(self.wrong_pin("PIN").await?),
            Err(e) => Err(e),
        }
    }

    /// Records a wrong PIN (at login or on the approval overlay) for lockout and audit, and says how many
    /// there have been lately.
    async fn wrong_pin(&self, what: &str) -> Result<AppError, AppError> {
        let now = self.clock.now();
        let system = setup::system_staff();
        let w = Write {
            at: now,
            staff: &system,
            ids: self.ids.as_ref(),
        };
        let since = Timestamp::from_millis(now.millis() - PIN_WINDOW_MS);
        let count = self.store.record_pin_failure(since, &w).await?;
        Ok(AppError::new(
            ErrorCode::WrongPin,
            format!("wrong {what} ({count} wrong in the last 15 minutes)"),
        ))
    }

    async fn open_order(&mut self, kind: OrderKindInput, alias: Option<String>) -> Result<Reply, AppError> {
        let staff = self.require_staff()?.id.clone();
        if let Some(a) = &alias {
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
        let ctx = Ctx::new(self.clock.now(), staff);
        let date = self.clock.business_date();
        let number = match self.numbers.get(&date) {
            Some(last) => last + 1,
            None => self.store.next_order_number(&date).await?,
        };
        let req = OpenOrder {
            id: OrderId::from_uuid(self.ids.new_id()),
            number,
            business_date: date.clone(),
            device: self.store.device(),
            currency: self.restaurant.currency,
            kind: kind_of(kind),
            service_charge: self.restaurant.service_charge,
        };
        let (order, event) = Order::open(req, &ctx)?;
        self.numbers.insert(date, number);
        let draft = Draft {
            order,
            unsaved: vec![Recorded {
                event,
                staff: ctx.staff,
                at: ctx.at,
            }],
            stored: false,
        };
        let id = draft.order.id();
        self.session.current = Some(id);
        if let Some(a) = alias {
            self.session.aliases.insert(a, id);
        }
        let reply = self.order_reply(&draft);
        self.drafts.insert(id, draft);
        reply
    }

    async fn resume(&mut self, order: &str) -> Result<Reply, AppError> {
        let id = self.resolve(Some(order))?;
        if self.session.current != Some(id) {
            self.save_drafts().await?;
        }
        let draft = self.draft(id).await?;
        if draft.order.state().is_closed() {
            return Err(fynlo_core::Error::OrderClosed(draft.order.state()).into());
        }
        if draft.order.parked() {
            return self.run(Some(order.to_owned()), OrderCommand::Resume).await;
        }
        self.session.current = Some(id);
        self.order_reply(&draft)
    }

    /// Saves every order with unsaved changes and has the store apply its waiting saves to its summary
    /// tables. Front doors call it when they go idle or close.
    pub async fn save(&mut self) -> Result<(), AppError> {
        self.save_drafts().await?;
        self.drafts.retain(|_, d| !d.finished());
        // Idle is the time to bring the store's summary tables up to date with its journal.
        self.store.settle().await?;
        Ok(())
    }

    /// Saves every order with unsaved changes, as the till does before it switches order or staff.
    async fn save_drafts(&mut self) -> Result<(), AppError> {
        let ids: Vec<OrderId> = self.drafts.keys().copied().collect();
        for id in ids {
            self.save_order(id).await?;
        }
        Ok(())
    }

    /// Saves one order's unsaved changes in one durable transaction.
    async fn save_order(&mut self, id: OrderId) -> Result<(), AppError> {
        let Some(draft) = self.drafts.get_mut(&id) else {
            return Ok(());
        };
        if !draft.unsaved.is_empty() {
            self.store
                .save_order(&draft.order, !draft.stored, &draft.unsaved, self.ids.as_ref())
                .await?;
            draft.unsaved.clear();
            draft.stored = true;
        }
        Ok(())
    }

    /// Lets go of an order the till has finished with ([`Draft::finished`]), once its reply is built.
    fn forget_if_closed(&mut self, id: OrderId) {
        if self.drafts.get(&id).is_some_and(Draft::finished) {
            self.drafts.remove(&id);
        }
    }

    /// The order as this till has it, loading it from the store the first time.
    async fn draft(&mut self, id: OrderId) -> Result<Draft, AppError> {
        self.load(id).await?;
        self.drafts
            .get(&id)
            .cloned()
            .ok_or_else(|| fynlo_store::Error::OrderNotFound(id).into())
    }

    /// Makes sure an order is among the drafts, loading it from the store if needed. A closed order is
    /// loaded too, so a command on it is refused by the core with `order_closed`.
    async fn load(&mut self, id: OrderId) -> Result<(), AppError> {
        if !self.drafts.contains_key(&id) {
            let order = self.store.order(id).await?;
            self.drafts.insert(
                id,
                Draft {
                    order,
                    unsaved: Vec::new(),
                    stored: true,
                },
            );
        }
        Ok(())
    }

    /// Executes an order command through the core. The events join the order's unsaved changes, and are
    /// saved at once when the world acts on them (see [`saves_at_once`]). If saving fails, the command is
    /// undone: the till answers with the error and the order is as it was.
    async fn run(&mut self, order: Option<String>, command: OrderCommand) -> Result<Reply, AppError> {
        self.run_with(order, command, None).await
    }

    /// Runs an order command with the approval the cashier's command carried, if any (see
    /// [`Till::approver`]: a manager logged in approves their own commands).
    async fn run_with(
        &mut self,
        order: Option<String>,
        command: OrderCommand,
        approval: Option<ApprovalInput>,
    ) -> Result<Reply, AppError> {
        let approver = self.approver(approval).await?;
        let staff = self.require_staff()?.id.clone();
        let id = self.resolve(order.as_deref())?;
        let ctx = self.ctx(staff, approver);
        let alias = self.alias_of(id);
        self.apply(id, &command, &ctx, |events| events.iter().any(saves_at_once))
            .await?;
        let Some(draft) = self.drafts.get(&id) else {
            return Err(fynlo_store::Error::OrderNotFound(id).into());
        };
        let closed = draft.order.state().is_closed();
        let view = OrderView::new(&draft.order, alias, draft.unsaved.is_empty())?;
        self.forget_if_closed(id);
        match command {
            OrderCommand::Resume => self.session.current = Some(id),
            OrderCommand::Park if self.session.current == Some(id) => self.session.current = None,
            _ if closed && self.session.current == Some(id) => self.session.current = None,
            _ => {}
        }
        Ok(Reply::Order(Box::new(view)))
    }

    /// Who does a command now, with which approval, under the restaurant's approval rules.
    fn ctx(&self, staff: StaffId, approver: Option<StaffId>) -> Ctx {
        Ctx {
            at: self.clock.now(),
            staff,
            approver,
            approvals: self.restaurant.approvals,
        }
    }

    /// Executes an order command through the core, adds its events to the order's unsaved changes and,
    /// when `save_now` says so for those events, saves the order at once — undoing the command if saving
    /// fails, so the till answers with the error and the order is as it was. The order after the command
    /// is the draft's.
    pub(super) async fn apply(
        &mut self,
        id: OrderId,
        command: &OrderCommand,
        ctx: &Ctx,
        save_now: impl Fn(&[OrderEvent]) -> bool,
    ) -> Result<(), AppError> {
        self.load(id).await?;
        let Some(draft) = self.drafts.get_mut(&id) else {
            return Err(fynlo_store::Error::OrderNotFound(id).into());
        };
        let (next, events) = draft.order.execute(command, &self.catalog, ctx)?;
        let save = save_now(&events);
        let before = std::mem::replace(&mut draft.order, next);
        let unsaved_before = draft.unsaved.len();
        draft.unsaved.extend(events.into_iter().map(|event| Recorded {
            event,
            staff: ctx.staff.clone(),
            at: ctx.at,
        }));
        if save {
            if let Err(e) = self.save_order(id).await {
                if let Some(draft) = self.drafts.get_mut(&id) {
                    draft.order = before;
                    draft.unsaved.truncate(unsaved_before);
                }
                return Err(e);
            }
        }
        Ok(())
    }

    /// The manager approving a command: the member of staff logged in when they are a manager or owner,
    /// or the manager whose PIN was typed on the approval overlay. A wrong PIN is recorded like one at
    /// login; a PIN of someone who cannot approve is refused.
    async fn approver(&mut self, approval: Option<ApprovalInput>) -> Result<Option<StaffId>, AppError> {
        let me = self.require_staff()?;
        if me.role.is_manager() {
            return Ok(Some(me.id.clone()));
        }
        let Some(approval) = approval else {
            return Ok(None);
        };
        let candidates: Vec<Staff> = self
            .staff
            .iter()
            .filter(|s| approval.staff.as_deref().is_none_or(|id| s.id.as_str() == id))
            .cloned()
            .collect();
        let found = Pin::new(&approval.pin)
            .map_err(AppError::from)
            .and_then(|pin| auth::find_staff(&candidates, &pin).cloned());
        match found {
            Ok(member) if member.role.is_manager() => Ok(Some(member.id)),
            Ok(member) => Err(AppError::new(
                ErrorCode::ApprovalRequired,
                format!("{} cannot approve this: a manager's PIN is needed", member.name),
            )),
            Err(e) if e.code == ErrorCode::WrongPin => Err(self.wrong_pin("manager PIN").await?),
            Err(e) => Err(e),
        }
    }

    fn require_staff(&self) -> Result<&Staff, AppError> {
        self.session
            .staff
            .as_ref()
            .ok_or_else(|| AppError::new(ErrorCode::NotLoggedIn, "log in with your PIN first"))
    }

    /// An order named by alias or id, or the current order.
    fn resolve(&self, order: Option<&str>) -> Result<OrderId, AppError> {
        match order {
            None => self
                .session
                .current
                .ok_or_else(|| AppError::new(ErrorCode::NotFound, "no current order: open one or name it")),
            Some(name) => {
                if let Some(id) = self.session.aliases.get(name) {
                    return Ok(*id);
                }
                OrderId::parse(name)
                    .map_err(|_| AppError::new(ErrorCode::NotFound, format!("no order or alias {name:?}")))
            }
        }
    }

    fn alias_of(&self, id: OrderId) -> Option<String> {
        self.session
            .aliases
            .iter()
            .find(|(_, v)| **v == id)
            .map(|(k, _)| k.clone())
    }

    fn find_product(
        &self,
        product: Option<String>,
        sku: Option<String>,
        barcode: Option<String>,
    ) -> Result<ProductId, AppError> {
        let found = match (product, sku, barcode) {
            (Some(id), None, None) => self.catalog.product(&ProductId::new(id)?)?,
            (None, Some(sku), None) => self.catalog.product_by_sku(&sku)?,
            (None, None, Some(code)) => self.catalog.product_by_barcode(code.trim())?,
            _ => {
                return Err(AppError::invalid(
                    "name the product by exactly one of product, sku or barcode",
                ))
            }
        };
        Ok(found.id.clone())
    }

    fn order_reply(&self, draft: &Draft) -> Result<Reply, AppError> {
        let order = &draft.order;
        let view = OrderView::new(order, self.alias_of(order.id()), draft.unsaved.is_empty())?;
        Ok(Reply::Order(Box::new(view)))
    }

    fn session_reply(&self) -> Reply {
        Reply::Session(SessionView {
            staff: self.session.staff.as_ref().map(StaffView::from),
            current_order: self.session.current.map(|id| id.to_string()),
        })
    }
}
