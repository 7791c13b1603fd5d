//! Human-friendly views for the terminal: the menu, open orders, and one order with its totals.
//! Money is formatted by the core's en-GB rules.

use std::fmt::Write as _;

use fynlo_app::view::{Amount, HistoryView, MenuView, OrderView};
use fynlo_core::money::{Currency, Minor, Money};

fn money(amount: Amount, currency: &str) -> String {
    let currency = Currency::from_code(currency).unwrap_or_default();
    Money::new(Minor::new(amount.0), currency).format_en_gb()
}

fn percent(bp: u32) -> String {
    fynlo_core::BasisPoints::new(bp).to_string()
}

/// The restaurant and its menu by category.
pub fn render_menu(menu: &MenuView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", menu.restaurant, menu.address.join(", "));
    let _ = writeln!(out, "VAT {} · menu version {}", menu.vat_number, menu.version);
    for category in &menu.categories {
        let _ = writeln!(out, "\n{}", category.name.to_uppercase());
        for p in menu.products.iter().filter(|p| p.category == category.id) {
            let status = if p.available { "" } else { "  (86'd)" };
            if p.variants.is_empty() {
                let _ = writeln!(
                    out,
                    "  {:<6} {:<36} {:>9}{status}",
                    p.sku,
                    p.name,
                    money(p.price, &menu.currency)
                );
            } else {
                let _ = writeln!(out, "  {:<6} {}{status}", p.sku, p.name);
                for v in &p.variants {
                    let _ = writeln!(out, "         {:<34} {:>9}", v.name, money(v.price, &menu.currency));
                }
            }
            for group_id in &p.modifier_groups {
                if let Some(g) = menu.modifier_groups.iter().find(|g| &g.id == group_id) {
                    let rule = if g.min == g.max {
                        format!("choose {}", g.min)
                    } else {
                        format!("choose {}–{}", g.min, g.max)
                    };
                    let _ = writeln!(out, "         {} ({rule})", g.name);
                }
            }
        }
    }
    out
}

/// Open orders, one line each.
pub fn open_orders(orders: &[OrderView]) -> String {
    if orders.is_empty() {
        return "No open orders.\n".into();
    }
    let mut out = String::new();
    for view in orders {
        let _ = writeln!(
            out,
            "#{:<4} {:<10} {:<22} {:<10} {:>10}  {}",
            view.number,
            view.business_date,
            kind_text(view),
            view.state.as_str(),
            money(view.totals.balance, &view.currency),
            view.id
        );
    }
    out
}

fn kind_text(view: &OrderView) -> String {
    let parked = if view.parked { " (parked)" } else { "" };
    match (&view.table, view.covers) {
        (Some(table), Some(covers)) => format!("table {table}, {covers} covers{parked}"),
        _ => format!("takeaway{parked}"),
    }
}

/// One order, with its history when asked for.
pub fn order(view: &OrderView, history: Option<&HistoryView>) -> String {
    let mut out = render_order(view);
    if let Some(history) = history {
        let _ = writeln!(out, "\nHistory");
        for entry in &history.entries {
            let _ = writeln!(out, "  v{:<3} {:<28} by {}", entry.version, entry.op_type, entry.staff);
        }
    }
    out
}

/// An order with its lines and totals, as a receipt-like block of text.
pub fn render_order(view: &OrderView) -> String {
    let c = view.currency.as_str();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Order #{} · {} · {} · {}",
        view.number,
        view.business_date,
        kind_text(view),
        view.state.as_str()
    );
    let _ = writeln!(out, "{}", view.id);
    for line in &view.lines {
        let variant = line
            .variant
            .as_ref()
            .map(|v| format!(" ({})", v.name))
            .unwrap_or_default();
        let void = if line.void.is_some() { "  VOID" } else { "" };
        let _ = writeln!(out, "{:>3}  {} × {}{variant}{void}", line.no, line.quantity, line.name);
        for m in &line.modifiers {
            let delta = if m.price_delta.0 == 0 {
                String::new()
            } else {
                format!(" ({})", money(m.price_delta, c))
            };
            let _ = writeln!(out, "       + {}{delta}", m.name);
        }
        if let Some(note) = &line.note {
            let _ = writeln!(out, "       note: {note}");
        }
        if line.void.is_none() {
            let _ = writeln!(out, "{:>52}", money(line.gross, c));
            if let Some(d) = &line.discount {
                let _ = writeln!(
                    out,
                    "       discount: {:<28} {:>9}",
                    d.reason,
                    money(Amount(-line.line_discount.0), c)
                );
            }
        }
    }
    let t = &view.totals;
    let row = |out: &mut String, label: &str, amount: Amount| {
        let _ = writeln!(out, "{label:<40} {:>11}", money(amount, c));
    };
    let _ = writeln!(out, "{}", "-".repeat(52));
    row(&mut out, "Subtotal", t.subtotal);
    if t.line_discounts.0 != 0 {
        row(&mut out, "Line discounts", Amount(-t.line_discounts.0));
    }
    if let Some(d) = &view.discount {
        row(
            &mut out,
            &format!("Order discount ({})", d.reason),
            Amount(-t.order_discount.0),
        );
    }
    if view.service_charge.applies {
        let label = format!(
            "Service charge {} ({})",
            percent(view.service_charge.rate_bp),
            view.service_charge.kind.as_str()
        );
        row(&mut out, &label, t.service_charge);
    }
    row(&mut out, "TOTAL", t.total);
    for v in &t.vat {
        row(
            &mut out,
            &format!("  VAT {} on {}", percent(v.rate_bp), money(v.gross, c)),
            v.vat,
        );
    }
    row(&mut out, "Paid", t.paid);
    for p in &view.payments {
        let part = p.part.map(|n| format!(" part {n}")).unwrap_or_default();
        let mut detail = format!(
            "  {} {}{part} {}",
            p.tender.as_str(),
            money(p.amount, c),
            p.status.as_str()
        );
        if p.tip.0 != 0 {
            let _ = write!(detail, ", tip {}", money(p.tip, c));
        }
        if p.change.0 != 0 {
            let _ = write!(
                detail,
                ", tendered {}, change {}",
                money(p.tendered, c),
                money(p.change, c)
            );
        }
        if p.fee.0 != 0 {
            let _ = write!(detail, ", fee {}", money(p.fee, c));
        }
        if let Some(note) = &p.note {
            let _ = write!(detail, " ({note})");
        }
        let _ = writeln!(out, "{detail}");
    }
    for r in &view.refunds {
        let _ = writeln!(
            out,
            "  REFUND {} to {} {} ({}; approved by {})",
            money(r.amount, c),
            r.tender.as_str(),
            r.status.as_str(),
            r.reason,
            r.approved_by
        );
    }
    if view.tips.0 != 0 {
        row(&mut out, "Tips (outside VAT, to staff)", view.tips);
    }
    row(&mut out, "Balance", t.balance);
    out
}
