//! The command set: every operation a till performs, as one typed enum. The Tauri shell and the CLI's
//! `exec` both deserialise into [`Command`] and hand it to [`crate::Till::execute`]; nothing is
//! implemented twice. JSON shape: `{"cmd": "add_line", …fields}`. Amounts are integer minor units;
//! rates are integer basis points (1250 = 12.5 %).
//!
//! Each command carries a typed request that belongs to its area — [`crate::session`],
//! [`crate::menu`], [`crate::orders`], [`crate::payments`] — where it is turned into the core's types
//! and handled, so every arm of `Till::execute` is one line.

use serde::{Deserialize, Deserializer, Serialize};
use ts_rs::TS;

use crate::{
    orders::request::{
        AddLine, Cancel, ChangeLine, DiscountQuote, LineQuote, OpenOrder, OrderRef, OverridePrice, RecentOrders,
        RemoveLine, Resume, SetLineDiscount, SetOrderDiscount, SetOrderType, SetServiceCharge, SetStatus, VoidLine,
    },
    payments::request::{CashQuote, CheckPayment, FeeQuote, Pay, Refund, SetServers, SplitBill, TakeCash, TipOptions},
    printing::request::{
        CancelPrint, OpenDrawer, PrintJobs, PrinterChoice, PrinterRef, PutPrinter, ReceiptRequest, TicketPreview,
    },
    session::request::Login,
    shifts::request::{
        AuditQuery, CashMovement, CloseSession, ExportReport, Listing, OpenSession, PrintReport, ReportAccess,
        ZReportRef,
    },
    staff::request::{
        AddStaff, AdjustShift, BreakPunch, ChangePin, ChangeStaff, Punch, RecordTips, ResetPin, TimesheetRequest,
        TipsPeriod, TipsQuery,
    },
};

/// Every operation of the till. `order` fields name an order by id or by an alias given when it was
/// opened; when left out, the command acts on the current order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Log in with a PIN; optionally say who, to skip trying every member of staff.
    Login(Login),
    /// Log out (lock the till).
    #[serde(deserialize_with = "no_fields")]
    Logout,
    /// Who is logged in.
    #[serde(deserialize_with = "no_fields")]
    Whoami,
    /// The restaurant and its menu.
    #[serde(deserialize_with = "no_fields")]
    Menu,
    /// Open a new order; it becomes the current order.
    OpenOrder(OpenOrder),
    /// Add a line. Name the product by `product` id, `sku` or `barcode` (exactly one).
    AddLine(AddLine),
    /// A line's price as `add_line` would add it, before it is added (the options dialog's total).
    LineQuote(LineQuote),
    /// What a line or order discount would take off, and whether it needs a manager, before it is given.
    DiscountQuote(DiscountQuote),
    /// Change an unsent line. Fields left out stay; `clear` lists fields to empty (`note`, `course`, `seat`).
    ChangeLine(ChangeLine),
    /// Remove a line not yet sent to the kitchen.
    RemoveLine(RemoveLine),
    /// Void a line that was sent to the kitchen; it stays on the order, marked void.
    VoidLine(VoidLine),
    /// Set (or clear, with `null`) a line discount.
    SetLineDiscount(SetLineDiscount),
    /// Set (or clear, with `null`) the order discount.
    SetOrderDiscount(SetOrderDiscount),
    /// Set a line's unit price by hand (VAT-inclusive, modifiers included), or go back to the menu's with
    /// `null`. Always needs a manager's approval.
    OverridePrice(OverridePrice),
    /// Remove the service charge (a reason is required) or restore it.
    SetServiceCharge(SetServiceCharge),
    /// Switch between dine-in and takeaway, or move table.
    SetOrderType(SetOrderType),
    /// Send unsent lines to the kitchen (a pending order becomes confirmed).
    SendToKitchen(OrderRef),
    /// Record kitchen progress.
    SetStatus(SetStatus),
    /// Park the order in the open-orders list; there is then no current order.
    Park(OrderRef),
    /// Make an open order current again (un-parking it if parked).
    Resume(Resume),
    /// The order with its lines and totals.
    ShowOrder(OrderRef),
    /// Orders not yet completed or cancelled.
    #[serde(deserialize_with = "no_fields")]
    OpenOrders,
    /// Take a cash payment. Change is given for anything above what is due; when the balance reaches
    /// zero the order completes. With `tip`, that much of the cash is kept as a tip (the guest said
    /// "keep the change").
    TakeCash(TakeCash),
    /// What cash handed over would do before it is taken: what it settles, the tip kept, the change.
    CashQuote(CashQuote),
    /// Take a card or pay-by-bank payment: the attempt is saved (pending) before the provider is called,
    /// then the provider's answer is saved. The reply shows the attempt's outcome; a decline is an
    /// answer, not an error.
    Pay(Pay),
    /// Ask the provider again about a pending attempt (after a timeout, or once the customer has
    /// authenticated) and record the answer.
    CheckPayment(CheckPayment),
    /// Cancel a pending attempt, at the provider and on the order.
    CancelPayment(CheckPayment),
    /// The page a pay-by-bank customer pays on, asked afresh of the provider, with its QR code.
    PaymentPage(CheckPayment),
    /// Split the bill, or clear the split with `null`.
    SplitBill(SplitBill),
    /// Say who served the order: they share its tips and service charge equally.
    SetServers(SetServers),
    /// The tip prompt's buttons: what each preset (and a custom choice) adds on a payment of the bill or
    /// of one part, worked out by the core.
    TipOptions(TipOptions),
    /// Refund a payment of a completed order, by amount or by lines, to its original tender. Needs a
    /// reason and a manager's approval.
    Refund(Refund),
    /// What each payment method would cost the restaurant on this bill (or on `amount`), and what
    /// pay-by-bank saves.
    FeeQuote(FeeQuote),
    /// Completed and cancelled orders, newest first (for refunds and reprints).
    RecentOrders(RecentOrders),
    /// Resume or safely abandon every payment and refund attempt left pending (the till does this when
    /// it starts).
    #[serde(deserialize_with = "no_fields")]
    RecoverPayments,
    /// Complete an order whose balance is zero (e.g. fully discounted).
    Complete(OrderRef),
    /// Cancel an order that has no payments.
    Cancel(Cancel),
    /// Every recorded change to an order.
    History(OrderRef),
    /// The printers, how each is doing, and the jobs waiting.
    #[serde(deserialize_with = "no_fields")]
    Printers,
    /// Adds a printer (a manager's).
    AddPrinter(PutPrinter),
    /// Changes a printer (a manager's).
    ChangePrinter(PutPrinter),
    /// Removes a printer; its waiting jobs fail (a manager's).
    RemovePrinter(PrinterRef),
    /// Prints a test page.
    TestPrinter(PrinterChoice),
    /// Prints an order's receipt (or a part's, or a refund's); one printed before comes out DUPLICATE.
    PrintReceipt(ReceiptRequest),
    /// A receipt as it would print, as text.
    ReceiptPreview(ReceiptRequest),
    /// The kitchen tickets sending the order now would print, as text.
    TicketPreview(TicketPreview),
    /// The newest print jobs.
    PrintJobs(PrintJobs),
    /// Tries waiting jobs now (of one printer, or all).
    RetryPrints(PrinterChoice),
    /// Cancels a waiting job (a manager's).
    CancelPrint(CancelPrint),
    /// A no-sale: opens the cash drawer, with a reason (`no_sale` permission). In a drawer session it is
    /// one of the session's movements.
    OpenDrawer(OpenDrawer),
    /// The drawer now: its open session, what it should hold, its pay-ins, pay-outs and no-sales.
    #[serde(deserialize_with = "no_fields")]
    Drawer,
    /// Opens the drawer's session with a float counted by denomination (`close_session` permission).
    OpenSession(OpenSession),
    /// Puts cash into the drawer, with a reason (`pay_in_out` permission).
    PayIn(CashMovement),
    /// Takes cash out of the drawer, with a reason (`pay_in_out` permission).
    PayOut(CashMovement),
    /// The X report: the session's figures now; nothing is reset (`see_reports` permission).
    XReport(ReportAccess),
    /// Counts the drawer and closes the session with its Z report, numbered and stored
    /// (`close_session` permission).
    CloseSession(CloseSession),
    /// A stored Z report, the newest when no number is given (`see_reports`).
    ZReport(ZReportRef),
    /// The stored Z reports, newest first (`see_reports`).
    ZReports(Listing),
    /// Prints a stored Z report again, or the X report now (`see_reports`).
    PrintReport(PrintReport),
    /// A stored Z report (or the X report now) as CSV, JSON or the cloud's daily shape (`see_reports`).
    ExportReport(ExportReport),
    /// The audit log's newest entries and a check of its whole chain (`see_reports`).
    AuditLog(AuditQuery),
    /// The staff, with who is clocked in (deactivated members too, for those who may edit staff).
    #[serde(deserialize_with = "no_fields")]
    Staff,
    /// Adds a member of staff (`edit_staff`; no higher than the editor's role).
    AddStaff(AddStaff),
    /// Changes a member's name or role, or deactivates or reactivates them (`edit_staff`).
    ChangeStaff(ChangeStaff),
    /// The member logged in changes their own PIN, typing the old one.
    ChangePin(ChangePin),
    /// Sets another member's PIN (`edit_staff`).
    ResetPin(ResetPin),
    /// Clocks a member in with their PIN (works on a locked till).
    ClockIn(Punch),
    /// Clocks a member out with their PIN (works on a locked till).
    ClockOut(Punch),
    /// Starts a break, paid or unpaid (works on a locked till).
    StartBreak(BreakPunch),
    /// Ends a break (works on a locked till).
    EndBreak(Punch),
    /// Who is clocked in now.
    #[serde(deserialize_with = "no_fields")]
    OnShift,
    /// A pay period's time worked, breaks and overtime (`see_reports`, or one's own).
    Timesheet(TimesheetRequest),
    /// Corrects a shift's times, or adds a forgotten one, with a reason (`edit_staff`).
    AdjustShift(AdjustShift),
    /// A pay period's tips and service charge, allocated by the restaurant's rule (`see_reports`).
    Tips(TipsPeriod),
    /// Records an ended period's allocation as paid out; kept for good (`edit_staff`).
    RecordTips(RecordTips),
    /// Recorded tips allocations (`see_reports`, or one's own).
    TipsRecords(TipsQuery),
    /// One member's tips records as CSV (`see_reports`, or one's own).
    ExportTips(TipsQuery),
    /// The written tipping policy.
    #[serde(deserialize_with = "no_fields")]
    TippingPolicy,
}

/// Refuses any field on a command (or order kind) that has none. `deny_unknown_fields` does not reach
/// the unit variants of an internally tagged enum (serde-rs/serde#2123), so without this
/// `{"cmd": "logout", "force": true}` would be accepted and the extra field silently ignored.
pub(crate) fn no_fields<'de, D: Deserializer<'de>>(deserializer: D) -> Result<(), D::Error> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct NoFields {}
    NoFields::deserialize(deserializer).map(|NoFields {}| ())
}

impl Command {
    /// The command's name as written in `cmd`.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Login(_) => "login",
            Command::Logout => "logout",
            Command::Whoami => "whoami",
            Command::Menu => "menu",
            Command::OpenOrder(_) => "open_order",
            Command::AddLine(_) => "add_line",
            Command::LineQuote(_) => "line_quote",
            Command::DiscountQuote(_) => "discount_quote",
            Command::ChangeLine(_) => "change_line",
            Command::RemoveLine(_) => "remove_line",
            Command::VoidLine(_) => "void_line",
            Command::SetLineDiscount(_) => "set_line_discount",
            Command::SetOrderDiscount(_) => "set_order_discount",
            Command::SetServiceCharge(_) => "set_service_charge",
            Command::OverridePrice(_) => "override_price",
            Command::SetOrderType(_) => "set_order_type",
            Command::SendToKitchen(_) => "send_to_kitchen",
            Command::SetStatus(_) => "set_status",
            Command::Park(_) => "park",
            Command::Resume(_) => "resume",
            Command::ShowOrder(_) => "show_order",
            Command::OpenOrders => "open_orders",
            Command::TakeCash(_) => "take_cash",
            Command::CashQuote(_) => "cash_quote",
            Command::Pay(_) => "pay",
            Command::CheckPayment(_) => "check_payment",
            Command::CancelPayment(_) => "cancel_payment",
            Command::PaymentPage(_) => "payment_page",
            Command::SplitBill(_) => "split_bill",
            Command::SetServers(_) => "set_servers",
            Command::TipOptions(_) => "tip_options",
            Command::Refund(_) => "refund",
            Command::FeeQuote(_) => "fee_quote",
            Command::RecentOrders(_) => "recent_orders",
            Command::RecoverPayments => "recover_payments",
            Command::Complete(_) => "complete",
            Command::Cancel(_) => "cancel",
            Command::History(_) => "history",
            Command::Printers => "printers",
            Command::AddPrinter(_) => "add_printer",
            Command::ChangePrinter(_) => "change_printer",
            Command::RemovePrinter(_) => "remove_printer",
            Command::TestPrinter(_) => "test_printer",
            Command::PrintReceipt(_) => "print_receipt",
            Command::ReceiptPreview(_) => "receipt_preview",
            Command::TicketPreview(_) => "ticket_preview",
            Command::PrintJobs(_) => "print_jobs",
            Command::RetryPrints(_) => "retry_prints",
            Command::CancelPrint(_) => "cancel_print",
            Command::OpenDrawer(_) => "open_drawer",
            Command::Drawer => "drawer",
            Command::OpenSession(_) => "open_session",
            Command::PayIn(_) => "pay_in",
            Command::PayOut(_) => "pay_out",
            Command::XReport(_) => "x_report",
            Command::CloseSession(_) => "close_session",
            Command::ZReport(_) => "z_report",
            Command::ZReports(_) => "z_reports",
            Command::PrintReport(_) => "print_report",
            Command::ExportReport(_) => "export_report",
            Command::AuditLog(_) => "audit_log",
            Command::Staff => "staff",
            Command::AddStaff(_) => "add_staff",
            Command::ChangeStaff(_) => "change_staff",
            Command::ChangePin(_) => "change_pin",
            Command::ResetPin(_) => "reset_pin",
            Command::ClockIn(_) => "clock_in",
            Command::ClockOut(_) => "clock_out",
            Command::StartBreak(_) => "start_break",
            Command::EndBreak(_) => "end_break",
            Command::OnShift => "on_shift",
            Command::Timesheet(_) => "timesheet",
            Command::AdjustShift(_) => "adjust_shift",
            Command::Tips(_) => "tips",
            Command::RecordTips(_) => "record_tips",
            Command::TipsRecords(_) => "tips_records",
            Command::ExportTips(_) => "export_tips",
            Command::TippingPolicy => "tipping_policy",
        }
    }

    /// The names of every command, read from the command type itself (its generated TypeScript union),
    /// so a command added to [`Command`] is in this list without anyone remembering to add it.
    pub fn names() -> Vec<String> {
        let decl = Command::decl(&ts_rs::Config::default());
        decl.split("\"cmd\": \"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_owned)
            .collect()
    }

    /// Commands a locked till answers (everything else needs a member of staff logged in). The time
    /// clock's punches carry the PIN of whoever punches.
    pub fn works_locked(&self) -> bool {
        matches!(
            self,
            Command::Login(_)
                | Command::Logout
                | Command::Whoami
                | Command::Menu
                | Command::ClockIn(_)
                | Command::ClockOut(_)
                | Command::StartBreak(_)
                | Command::EndBreak(_)
        )
    }
}
