//! What the command set answers with: [`Reply`], one variant per kind of answer, each a transport type
//! (DTO) made from domain types at the boundary by its area (`orders::view`, `payments::view`,
//! `session::view`, `menu::view`), all re-exported here. Amounts are integer minor units ([`Amount`]);
//! times are milliseconds since the epoch; every state, kind, tender and status is an enum, so the UI's
//! generated types are string unions.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::{
    menu::view::{CategoryView, MenuView, ModifierGroupView, ModifierView, ProductView, TipsView, VariantView},
    orders::view::{
        DiscountQuoteView, DiscountType, DiscountView, HistoryEntryView, HistoryView, LineModifierView, LineQuoteView,
        LineView, OrderType, OrderView, OrdersView, PriceOverrideView, ServiceChargeView, TotalsView,
        VariantChoiceView, VatView, VoidView,
    },
    payments::view::{
        AttemptKind, CashQuoteView, FeeQuoteView, FeeRowView, GratuityView, PartLineView, PartView, PaymentPageView,
        PaymentView, RecoveredView, RecoveryView, RefundLineView, RefundView, SplitMethod, SplitView, TipOptionsView,
        TipPresetView,
    },
    printing::view::{JobStateView, JobView, JobsView, PreviewDocView, PreviewView, PrinterView, PrintersView},
    session::view::{SessionView, StaffView},
    shifts::view::{
        AuditEntryView, AuditProblemView, AuditView, DrawerView, ExportView, MovementView, ReportView, ReportsView,
        SessionInfoView,
    },
    staff::view::{
        ShiftView, ShiftsView, StaffListView, StaffMemberView, TimesheetView, TipAllocationView, TipRecordView,
        TipShareView, TipsRecordsView,
    },
};

/// An amount in integer minor units (pence). Always an integer; never a float.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(transparent)]
#[ts(type = "number")]
pub struct Amount(pub i64);

impl From<fynlo_core::Minor> for Amount {
    fn from(m: fynlo_core::Minor) -> Self {
        Amount(m.get())
    }
}

/// The answer to a command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    /// The member of staff logged in (or null after logout).
    Session(SessionView),
    /// An order.
    Order(Box<OrderView>),
    /// Open orders.
    Orders(OrdersView),
    /// The restaurant and menu.
    Menu(MenuView),
    /// An order's history.
    History(HistoryView),
    /// What each payment method would cost.
    FeeQuote(FeeQuoteView),
    /// The tip prompt's buttons.
    TipOptions(TipOptionsView),
    /// What cash handed over would do.
    CashQuote(CashQuoteView),
    /// A line's price before it is added.
    LineQuote(LineQuoteView),
    /// What a discount would take off.
    DiscountQuote(DiscountQuoteView),
    /// Payment attempts resumed or abandoned.
    Recovered(RecoveryView),
    /// A pay-by-bank payment's page and its QR code.
    PaymentPage(PaymentPageView),
    /// The printers and the jobs waiting.
    Printers(PrintersView),
    /// Print jobs.
    Jobs(JobsView),
    /// Documents as they will print.
    Preview(PreviewView),
    /// The cash drawer and its session.
    Drawer(DrawerView),
    /// An X or Z report.
    Report(Box<ReportView>),
    /// Stored Z reports.
    Reports(ReportsView),
    /// A report as a file.
    Export(ExportView),
    /// The audit log and its check.
    Audit(AuditView),
    /// The staff.
    Staff(StaffListView),
    /// Shifts on the time clock.
    Shifts(ShiftsView),
    /// A timesheet.
    Timesheet(TimesheetView),
    /// A tips allocation, or the tipping policy.
    Tips(TipAllocationView),
    /// Recorded tips.
    TipsRecords(TipsRecordsView),
}
