//! TypeScript types for the UI, generated from the boundary types of this crate with ts-rs.
//!
//! [`typescript`] renders every boundary type into one module, written to `ui/src/lib/bindings.ts`.
//! `cargo run -p fynlo-cli -- gen-ts` writes it; a test fails when the committed file is stale.

use ts_rs::{Config, TS};

use crate::{command, error, orders, payments, printing, session, view};

/// Where the generated module lives, relative to the repository root.
pub const BINDINGS_PATH: &str = "ui/src/lib/bindings.ts";

/// The generated TypeScript module.
pub fn typescript() -> String {
    let cfg = Config::default();
    let mut out = String::from(
        "// Generated from the Rust boundary types by `fynlo gen-ts` (crates/app/src/bindings.rs).\n\
         // Do not edit: change the Rust types and regenerate. Amounts are integer minor units.\n\n",
    );
    let decls = [
        command::Command::decl(&cfg),
        session::request::Login::decl(&cfg),
        session::request::ApprovalInput::decl(&cfg),
        orders::request::OrderRef::decl(&cfg),
        orders::request::OpenOrder::decl(&cfg),
        orders::request::AddLine::decl(&cfg),
        orders::request::ChangeLine::decl(&cfg),
        orders::request::LineQuote::decl(&cfg),
        orders::request::DiscountQuote::decl(&cfg),
        orders::request::RemoveLine::decl(&cfg),
        orders::request::VoidLine::decl(&cfg),
        orders::request::SetLineDiscount::decl(&cfg),
        orders::request::SetOrderDiscount::decl(&cfg),
        orders::request::OverridePrice::decl(&cfg),
        orders::request::SetServiceCharge::decl(&cfg),
        orders::request::SetOrderType::decl(&cfg),
        orders::request::SetStatus::decl(&cfg),
        orders::request::Resume::decl(&cfg),
        orders::request::RecentOrders::decl(&cfg),
        orders::request::Cancel::decl(&cfg),
        orders::request::OrderKindInput::decl(&cfg),
        orders::request::DiscountInput::decl(&cfg),
        orders::request::KitchenStatus::decl(&cfg),
        orders::request::CourseInput::decl(&cfg),
        payments::request::TakeCash::decl(&cfg),
        payments::request::Pay::decl(&cfg),
        payments::request::CashQuote::decl(&cfg),
        payments::request::CheckPayment::decl(&cfg),
        payments::request::SplitBill::decl(&cfg),
        payments::request::SetServers::decl(&cfg),
        payments::request::TipOptions::decl(&cfg),
        payments::request::Refund::decl(&cfg),
        payments::request::FeeQuote::decl(&cfg),
        payments::request::TipInput::decl(&cfg),
        payments::request::SplitInput::decl(&cfg),
        payments::request::ItemShareInput::decl(&cfg),
        payments::request::ProviderTender::decl(&cfg),
        payments::request::SimOutcomeInput::decl(&cfg),
        payments::request::RefundLineInput::decl(&cfg),
        printing::request::PutPrinter::decl(&cfg),
        printing::request::PrinterRef::decl(&cfg),
        printing::request::PrinterChoice::decl(&cfg),
        printing::request::ReceiptRequest::decl(&cfg),
        printing::request::TicketPreview::decl(&cfg),
        printing::request::PrintJobs::decl(&cfg),
        printing::request::CancelPrint::decl(&cfg),
        printing::request::OpenDrawer::decl(&cfg),
        printing::config::PrinterConfig::decl(&cfg),
        printing::config::TransportConfig::decl(&cfg),
        printing::config::Language::decl(&cfg),
        printing::config::CodePage::decl(&cfg),
        printing::config::CutConfig::decl(&cfg),
        printing::config::DrawerPinConfig::decl(&cfg),
        printing::config::QrConfig::decl(&cfg),
        error::ErrorCode::decl(&cfg),
        error::AppError::decl(&cfg),
        view::Amount::decl(&cfg),
        view::Reply::decl(&cfg),
        view::SessionView::decl(&cfg),
        view::StaffView::decl(&cfg),
        view::DiscountView::decl(&cfg),
        view::DiscountType::decl(&cfg),
        view::LineModifierView::decl(&cfg),
        view::VoidView::decl(&cfg),
        view::VariantChoiceView::decl(&cfg),
        view::LineView::decl(&cfg),
        view::VatView::decl(&cfg),
        view::TotalsView::decl(&cfg),
        view::ServiceChargeView::decl(&cfg),
        view::PriceOverrideView::decl(&cfg),
        view::PaymentView::decl(&cfg),
        view::RefundView::decl(&cfg),
        view::RefundLineView::decl(&cfg),
        view::GratuityView::decl(&cfg),
        view::SplitView::decl(&cfg),
        view::SplitMethod::decl(&cfg),
        view::PartView::decl(&cfg),
        view::PartLineView::decl(&cfg),
        view::FeeQuoteView::decl(&cfg),
        view::FeeRowView::decl(&cfg),
        view::TipOptionsView::decl(&cfg),
        view::CashQuoteView::decl(&cfg),
        view::PrintersView::decl(&cfg),
        view::PrinterView::decl(&cfg),
        view::JobsView::decl(&cfg),
        view::JobView::decl(&cfg),
        view::JobStateView::decl(&cfg),
        view::PreviewView::decl(&cfg),
        view::PreviewDocView::decl(&cfg),
        view::TipPresetView::decl(&cfg),
        view::RecoveryView::decl(&cfg),
        view::RecoveredView::decl(&cfg),
        view::AttemptKind::decl(&cfg),
        view::OrderView::decl(&cfg),
        view::LineQuoteView::decl(&cfg),
        view::DiscountQuoteView::decl(&cfg),
        view::OrderType::decl(&cfg),
        view::OrdersView::decl(&cfg),
        view::HistoryEntryView::decl(&cfg),
        view::HistoryView::decl(&cfg),
        view::MenuView::decl(&cfg),
        view::TipsView::decl(&cfg),
        view::CategoryView::decl(&cfg),
        view::ProductView::decl(&cfg),
        view::VariantView::decl(&cfg),
        view::ModifierGroupView::decl(&cfg),
        view::ModifierView::decl(&cfg),
        // The core's enums that replies carry.
        fynlo_core::order::OrderState::decl(&cfg),
        fynlo_core::order::Course::decl(&cfg),
        fynlo_core::payment::Tender::decl(&cfg),
        fynlo_core::payment::PaymentStatus::decl(&cfg),
        fynlo_core::payment::PaymentState::decl(&cfg),
        fynlo_core::catalog::VatClass::decl(&cfg),
        fynlo_core::catalog::Allergen::decl(&cfg),
        fynlo_core::staff::Role::decl(&cfg),
        fynlo_core::settings::ServiceChargeKind::decl(&cfg),
        fynlo_core::tips::TipBase::decl(&cfg),
    ];
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
