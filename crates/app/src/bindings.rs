//! TypeScript types for the UI, generated from the boundary types of this crate with ts-rs.
//!
//! [`typescript`] renders every boundary type into one module, written to `ui/src/lib/bindings.ts`.
//! `cargo run -p fynlo-cli -- gen-ts` writes it; a test fails when the committed file is stale.

use ts_rs::{Config, TS};

use crate::{command, error, view};

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
        command::OrderKindInput::decl(&cfg),
        command::DiscountInput::decl(&cfg),
        command::KitchenStatus::decl(&cfg),
        command::CourseInput::decl(&cfg),
        command::ApprovalInput::decl(&cfg),
        command::TipInput::decl(&cfg),
        command::SplitInput::decl(&cfg),
        command::ItemShareInput::decl(&cfg),
        command::ProviderTender::decl(&cfg),
        command::SimOutcome::decl(&cfg),
        command::RefundLineInput::decl(&cfg),
        error::ErrorCode::decl(&cfg),
        error::AppError::decl(&cfg),
        view::Amount::decl(&cfg),
        view::Reply::decl(&cfg),
        view::SessionView::decl(&cfg),
        view::StaffView::decl(&cfg),
        view::DiscountView::decl(&cfg),
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
        view::PartView::decl(&cfg),
        view::PartLineView::decl(&cfg),
        view::FeeQuoteView::decl(&cfg),
        view::FeeRowView::decl(&cfg),
        view::RecoveryView::decl(&cfg),
        view::RecoveredView::decl(&cfg),
        view::OrderView::decl(&cfg),
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
