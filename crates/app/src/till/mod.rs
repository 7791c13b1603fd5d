//! The till: a store, the services it runs with (clock, ids, payment provider, failpoints), the cached
//! menu and settings, the session (who is logged in, which order is current, aliases), and the open
//! orders it works on. [`Till::execute`] runs one [`Command`], handing its typed request to its area:
//! [`crate::session`], [`crate::menu`], [`crate::orders`], [`crate::payments`].
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
    cash::MovementKind,
    catalog::Catalog,
    ids::{OrderId, StaffId},
    order::{Ctx, Order, OrderCommand, OrderEvent},
    settings::Restaurant,
    staff::Staff,
    time::{BusinessDate, Clock, IdSource},
};
use fynlo_payments::PaymentProvider;
use fynlo_store::{Recorded, Store};

use crate::{
    command::Command,
    error::{AppError, ErrorCode},
    failpoint::Failpoints,
    orders::view::OrderView,
    payments::view::RecoveryView,
    view::Reply,
};

/// What a till runs with, chosen by the front door: the clock, where ids come from, the payment
/// provider, and (in crash tests) where to stop.
#[derive(Clone)]
pub struct Services {
    /// The time, and the business day.
    pub clock: Arc<dyn Clock>,
    /// Every id and idempotency key the till makes.
    pub ids: Arc<dyn IdSource>,
    /// Who moves card and pay-by-bank money.
    pub provider: Arc<dyn PaymentProvider>,
    /// Where to abort, for the crash tests; none in normal use.
    pub failpoints: Failpoints,
}

impl Services {
    /// Services with no failpoints.
    pub fn new(clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>, provider: Arc<dyn PaymentProvider>) -> Services {
        Services {
            clock,
            ids,
            provider,
            failpoints: Failpoints::none(),
        }
    }

    /// The same services, stopping at `failpoints`.
    #[must_use]
    pub fn with_failpoints(mut self, failpoints: Failpoints) -> Services {
        self.failpoints = failpoints;
        self
    }
}

/// A running till.
pub struct Till {
    pub(crate) store: Arc<Store>,
    /// The database's path: file printers write beside it.
    pub(crate) path: std::path::PathBuf,
    /// The printers, and the bell that wakes the spooler.
    pub(crate) printing: crate::printing::Printing,
    pub(crate) services: Services,
    pub(crate) restaurant: Restaurant,
    pub(crate) catalog: Catalog,
    pub(crate) menu_version: i64,
    pub(crate) staff: Vec<Staff>,
    pub(crate) session: Session,
    /// Open orders this till has worked on, with their changes not yet saved.
    pub(crate) drafts: HashMap<OrderId, Draft>,
    /// The last order number given out per business day.
    pub(crate) numbers: HashMap<BusinessDate, u32>,
    /// What recovery found when the till opened.
    pub(crate) recovered: RecoveryView,
    /// Where PIN entry without a name stands (the till-wide lockout), kept in step with the store.
    pub(crate) pin_lockout: fynlo_core::lockout::Lockout,
}

/// What a till holds in memory: see [`Till::held`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// Open orders being worked on, each with the number of its changes not saved yet, by id.
    pub orders: Vec<(Order, usize)>,
    /// The session's aliases.
    pub aliases: Vec<(String, OrderId)>,
    /// The last order number given out, per business day.
    pub numbers: Vec<(String, u32)>,
}

/// An open order as this till knows it: its latest state and the events since it was last saved.
pub(crate) struct Draft {
    pub(crate) order: Order,
    pub(crate) unsaved: Vec<Recorded>,
    pub(crate) stored: bool,
}

impl Draft {
    /// Completed or cancelled, and saved: the store has it, and the till need not keep it.
    fn finished(&self) -> bool {
        self.order.state().is_closed() && self.unsaved.is_empty()
    }
}

/// Who is logged in, which order is current, and the aliases given to orders this session.
#[derive(Default)]
pub(crate) struct Session {
    pub(crate) staff: Option<Staff>,
    pub(crate) current: Option<OrderId>,
    pub(crate) aliases: HashMap<String, OrderId>,
    /// When the member logged in clocked in to a shift they forgot to clock out of.
    pub(crate) forgotten_clock_out: Option<i64>,
}

/// Events the world acts on at once — money, the kitchen, the open-orders list — are saved before the
/// till answers. Other edits to an order being built (lines, discounts, notes) wait for the next of these,
/// for a switch to another order, for logout, or for [`Till::save`].
pub(crate) fn saves_at_once(event: &OrderEvent) -> bool {
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

impl Till {
    /// Opens the till database at `path` with the services the front door chose, and resumes or
    /// abandons any payment left in flight.
    pub async fn open(path: &Path, services: Services) -> Result<Till, AppError> {
        let store = Store::open(path).await?;
        let mut till = Till::with_store(store, services).await?;
        till.recovered = till.recover().await?;
        Ok(till)
    }

    /// Runs a till on an open store (no recovery: [`Till::open`] does that, or `recover_payments`).
    pub async fn with_store(store: Store, services: Services) -> Result<Till, AppError> {
        let restaurant = store
            .restaurant()
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::NotInitialised, "the till has no restaurant settings"))?;
        let (menu_version, catalog) = store
            .menu()
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::NotInitialised, "the till has no menu"))?;
        let staff = store.staff().await?;
        let pin_lockout = store.lockout(fynlo_store::TILL).await?;
        let printers = crate::printing::load(&store).await?;
        Ok(Till {
            path: store.path().to_owned(),
            store: Arc::new(store),
            printing: crate::printing::Printing {
                printers,
                ..crate::printing::Printing::default()
            },
            services,
            restaurant,
            catalog,
            menu_version,
            staff,
            session: Session::default(),
            drafts: HashMap::new(),
            numbers: HashMap::new(),
            recovered: RecoveryView { attempts: Vec::new() },
            pin_lockout,
        })
    }

    /// Everything the till holds in memory, beyond its database: the orders it is working on (with how
    /// many of their changes are not saved yet), the session's aliases and the order numbers given out.
    /// For tools and tests that compare the till's whole state before and after a command.
    pub fn held(&self) -> Held {
        let mut orders: Vec<(Order, usize)> = self
            .drafts
            .values()
            .map(|d| (d.order.clone(), d.unsaved.len()))
            .collect();
        orders.sort_by_key(|(o, _)| o.id());
        let mut aliases: Vec<(String, OrderId)> = self.session.aliases.iter().map(|(a, id)| (a.clone(), *id)).collect();
        aliases.sort();
        let mut numbers: Vec<(String, u32)> = self.numbers.iter().map(|(d, n)| (d.to_string(), *n)).collect();
        numbers.sort();
        Held {
            orders,
            aliases,
            numbers,
        }
    }

    /// What recovery found when the till opened: attempts resumed or abandoned.
    pub fn recovered(&self) -> &RecoveryView {
        &self.recovered
    }

    /// The store, for views and tools that read it directly.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Gives the store back, ending the till; refused while a [`crate::printing::Spooler`] still holds it.
    pub fn into_store(self) -> Result<Store, AppError> {
        Arc::try_unwrap(self.store)
            .map_err(|_| AppError::new(ErrorCode::Conflict, "the print spooler still has the till's database"))
    }

    /// Runs one command. On error nothing has changed, except that a wrong PIN is recorded for the audit
    /// trail and the lockout.
    pub async fn execute(&mut self, command: Command) -> Result<Reply, AppError> {
        // A locked till answers every order command with `not_logged_in` before looking at its fields, so
        // it never tells a passer-by which products, orders or aliases exist.
        if !command.works_locked() {
            self.require_staff()?;
        }
        // A refused command leaves the till as it was, in memory too: orders it loaded only to refuse
        // are let go again.
        let known: Vec<OrderId> = self.drafts.keys().copied().collect();
        let result = self.dispatch(command).await;
        if result.is_err() {
            self.drafts.retain(|id, d| known.contains(id) || !d.unsaved.is_empty());
        }
        result
    }

    /// Hands a command's typed request to its area.
    async fn dispatch(&mut self, command: Command) -> Result<Reply, AppError> {
        match command {
            Command::Login(req) => self.login(req).await,
            Command::Logout => self.logout().await,
            Command::Whoami => Ok(self.session_reply()),
            Command::Menu => Ok(self.menu_reply()),
            Command::OpenOrder(req) => self.open_order(req).await,
            Command::AddLine(req) => self.add_line(req).await,
            Command::LineQuote(req) => self.line_quote(&req),
            Command::DiscountQuote(req) => self.discount_quote(req).await,
            Command::ChangeLine(req) => self.change_line(req).await,
            Command::RemoveLine(req) => self.remove_line(req).await,
            Command::VoidLine(req) => self.void_line(req).await,
            Command::SetLineDiscount(req) => self.set_line_discount(req).await,
            Command::SetOrderDiscount(req) => self.set_order_discount(req).await,
            Command::OverridePrice(req) => self.override_price(req).await,
            Command::SetServiceCharge(req) => self.set_service_charge(req).await,
            Command::SetOrderType(req) => self.set_order_type(req).await,
            Command::SendToKitchen(req) => self.send_to_kitchen(req).await,
            Command::SetStatus(req) => self.set_status(req).await,
            Command::Park(req) => self.park(req).await,
            Command::Resume(req) => self.resume(req).await,
            Command::ShowOrder(req) => self.show_order(req).await,
            Command::OpenOrders => self.open_orders().await,
            Command::TakeCash(req) => self.take_cash(req).await,
            Command::CashQuote(req) => self.cash_quote(req).await,
            Command::Pay(req) => self.pay(req).await,
            Command::CheckPayment(req) => self.check_payment(req, false).await,
            Command::CancelPayment(req) => self.check_payment(req, true).await,
            Command::PaymentPage(req) => self.payment_page(req).await,
            Command::SplitBill(req) => self.split_bill(req).await,
            Command::SetServers(req) => self.set_servers(req).await,
            Command::TipOptions(req) => self.tip_options(req).await,
            Command::Refund(req) => self.refund(req).await,
            Command::FeeQuote(req) => self.fee_quote(req).await,
            Command::RecentOrders(req) => self.recent_orders(req).await,
            Command::RecoverPayments => self.recover_payments().await,
            Command::Complete(req) => self.complete(req).await,
            Command::Cancel(req) => self.cancel(req).await,
            Command::History(req) => self.history(req).await,
            Command::Printers => self.printers().await,
            Command::AddPrinter(req) => self.put_printer(req, true).await,
            Command::ChangePrinter(req) => self.put_printer(req, false).await,
            Command::RemovePrinter(req) => self.remove_printer(req).await,
            Command::TestPrinter(req) => self.test_printer(req).await,
            Command::PrintReceipt(req) => self.print_receipt(req).await,
            Command::ReceiptPreview(req) => self.receipt_preview(req).await,
            Command::TicketPreview(req) => self.ticket_preview(req).await,
            Command::PrintJobs(req) => self.print_jobs(req).await,
            Command::RetryPrints(req) => self.retry_prints(req).await,
            Command::CancelPrint(req) => self.cancel_print(req).await,
            Command::OpenDrawer(req) => self.open_drawer(req).await,
            Command::Drawer => self.drawer().await,
            Command::OpenSession(req) => self.open_session(req).await,
            Command::PayIn(req) => self.cash_movement(req, MovementKind::PayIn).await,
            Command::PayOut(req) => self.cash_movement(req, MovementKind::PayOut).await,
            Command::XReport(req) => self.x_report(req).await,
            Command::CloseSession(req) => self.close_session(req).await,
            Command::ZReport(req) => self.z_report(req).await,
            Command::ZReports(req) => self.z_reports(req).await,
            Command::PrintReport(req) => self.print_report(req).await,
            Command::ExportReport(req) => self.export_report(req).await,
            Command::AuditLog(req) => self.audit_log(req).await,
            Command::Staff => self.staff_list().await,
            Command::AddStaff(req) => self.add_staff(req).await,
            Command::ChangeStaff(req) => self.change_staff(req).await,
            Command::ChangePin(req) => self.change_pin(req).await,
            Command::ResetPin(req) => self.reset_pin(req).await,
            Command::ClockIn(req) => self.clock_in(req).await,
            Command::ClockOut(req) => self.clock_out(req).await,
            Command::StartBreak(req) => self.start_break(req).await,
            Command::EndBreak(req) => self.end_break(req).await,
            Command::OnShift => self.on_shift().await,
            Command::Timesheet(req) => self.timesheet(req).await,
            Command::AdjustShift(req) => self.adjust_shift(req).await,
            Command::Tips(req) => self.tips(req).await,
            Command::RecordTips(req) => self.record_tips(req).await,
            Command::TipsRecords(req) => self.tips_records(req).await,
            Command::ExportTips(req) => self.export_tips(req).await,
            Command::TippingPolicy => Ok(self.tipping_policy()),
        }
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
    pub(crate) async fn save_drafts(&mut self) -> Result<(), AppError> {
        let ids: Vec<OrderId> = self.drafts.keys().copied().collect();
        for id in ids {
            self.save_order(id).await?;
        }
        Ok(())
    }

    /// Saves one order's unsaved changes in one durable transaction.
    pub(crate) async fn save_order(&mut self, id: OrderId) -> Result<(), AppError> {
        let Some(draft) = self.drafts.get_mut(&id) else {
            return Ok(());
        };
        if !draft.unsaved.is_empty() {
            // The jobs the save causes (tickets, a receipt, a drawer kick) go in its own commit.
            let jobs = crate::printing::spec::jobs_for_save(&self.printing.printers, &draft.order, &draft.unsaved)?;
            self.store
                .save_order_with_jobs(
                    &draft.order,
                    !draft.stored,
                    &draft.unsaved,
                    &jobs,
                    self.services.ids.as_ref(),
                )
                .await?;
            draft.unsaved.clear();
            draft.stored = true;
            if !jobs.is_empty() {
                self.jobs_added();
            }
        }
        Ok(())
    }

    /// Lets go of an order the till has finished with ([`Draft::finished`]), once its reply is built.
    pub(crate) fn forget_if_closed(&mut self, id: OrderId) {
        if self.drafts.get(&id).is_some_and(Draft::finished) {
            self.drafts.remove(&id);
        }
    }

    /// The order as this till has it, loading it from the store the first time. A closed order is
    /// loaded too, so a command on it is refused by the core with `order_closed`.
    pub(crate) async fn draft(&mut self, id: OrderId) -> Result<&Draft, AppError> {
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
        self.drafts
            .get(&id)
            .ok_or_else(|| fynlo_store::Error::OrderNotFound(id).into())
    }

    /// Executes an order command through the core. The events join the order's unsaved changes, and are
    /// saved at once when the world acts on them (see [`saves_at_once`]). If saving fails, the command is
    /// undone: the till answers with the error and the order is as it was.
    pub(crate) async fn run(&mut self, order: Option<&str>, command: OrderCommand) -> Result<Reply, AppError> {
        let staff = self.require_staff()?.id.clone();
        self.run_as(order, command, staff, None).await
    }

    /// Runs an order command as `staff`, approved by `approver`, and answers with the order.
    pub(crate) async fn run_as(
        &mut self,
        order: Option<&str>,
        command: OrderCommand,
        staff: StaffId,
        approver: Option<StaffId>,
    ) -> Result<Reply, AppError> {
        let id = self.resolve(order)?;
        let ctx = self.ctx(staff, approver);
        self.apply(id, &command, &ctx, |events| events.iter().any(saves_at_once))
            .await?;
        let reply = self.order_reply(id)?;
        let closed = self.drafts.get(&id).is_some_and(|d| d.order.state().is_closed());
        self.forget_if_closed(id);
        match command {
            OrderCommand::Resume => self.session.current = Some(id),
            OrderCommand::Park if self.session.current == Some(id) => self.session.current = None,
            _ if closed && self.session.current == Some(id) => self.session.current = None,
            _ => {}
        }
        Ok(reply)
    }

    /// A write by `staff` now: when, who, and where op ids come from.
    pub(crate) fn write_now<'a>(&'a self, staff: &'a StaffId) -> fynlo_store::Write<'a> {
        fynlo_store::Write {
            at: self.services.clock.now(),
            staff,
            ids: self.services.ids.as_ref(),
        }
    }

    /// A member of staff's name (their id when they are no longer on the till).
    pub(crate) fn staff_name(&self, id: &StaffId) -> String {
        name_in(&self.staff, id)
    }

    /// Who does a command now, with which approval, under the restaurant's approval rules.
    pub(crate) fn ctx(&self, staff: StaffId, approver: Option<StaffId>) -> Ctx {
        // What the approver's role may approve, checked by the core on what the command does.
        let grants = approver
            .as_ref()
            .and_then(|id| self.staff.iter().find(|s| &s.id == id))
            .map_or(fynlo_core::permission::Permissions::NONE, |s| self.grants_of(s));
        Ctx {
            at: self.services.clock.now(),
            staff,
            approver,
            grants,
            approvals: self.restaurant.approvals,
        }
    }

    /// Executes an order command through the core, adds its events to the order's unsaved changes and,
    /// when `save_now` says so for those events, saves the order at once — undoing the command if saving
    /// fails, so the till answers with the error and the order is as it was. The order after the command
    /// is the draft's.
    pub(crate) async fn apply(
        &mut self,
        id: OrderId,
        command: &OrderCommand,
        ctx: &Ctx,
        save_now: impl Fn(&[OrderEvent]) -> bool,
    ) -> Result<(), AppError> {
        self.draft(id).await?;
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

    /// The member of staff logged in, or `not_logged_in`.
    pub(crate) fn require_staff(&self) -> Result<&Staff, AppError> {
        self.session
            .staff
            .as_ref()
            .ok_or_else(|| AppError::new(ErrorCode::NotLoggedIn, "log in with your PIN first"))
    }

    /// An order named by alias or id, or the current order.
    pub(crate) fn resolve(&self, order: Option<&str>) -> Result<OrderId, AppError> {
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

    /// The alias this session gave an order, if any.
    pub(crate) fn alias_of(&self, id: OrderId) -> Option<String> {
        self.session
            .aliases
            .iter()
            .find(|(_, v)| **v == id)
            .map(|(k, _)| k.clone())
    }

    /// The reply for an order the till holds: its view, priced once.
    pub(crate) fn order_reply(&self, id: OrderId) -> Result<Reply, AppError> {
        let draft = self
            .drafts
            .get(&id)
            .ok_or_else(|| AppError::from(fynlo_store::Error::OrderNotFound(id)))?;
        let view = OrderView::new(&draft.order, self.alias_of(id), draft.unsaved.is_empty())?;
        Ok(Reply::Order(Box::new(view)))
    }
}

/// The name of member `id` among `staff`, or their id when they are not there (no longer on the till).
pub(crate) fn name_in(staff: &[Staff], id: &StaffId) -> String {
    staff
        .iter()
        .find(|s| &s.id == id)
        .map_or_else(|| id.as_str().to_owned(), |s| s.name.clone())
}
