//! The pricing rules of SPEC §2 as a table of orders and the totals they must come to.
//!
//! Each case opens an order (dine-in or takeaway, under a service charge rule), runs commands through the
//! public API and compares the totals, rendered as text, with an expectation worked out BY HAND from the
//! rules — the arithmetic is in the comment above each case. Nothing here asks the code under test what the
//! answer is. When an expectation and the code disagree, the rule is the judge.
//!
//! Shorthand in the comments: `/6` is the VAT in a 20 %-inclusive amount (G × 20/120), `/21` the VAT in a
//! 5 %-inclusive amount (G × 5/105); `→` is rounding to the penny, halves up.
//!
//! The rendering, one fact per line (whitespace is not significant):
//!
//! ```text
//! error <Error as Debug>                              (only when the last step must fail)
//! subtotal S line disc L order disc O after A
//! service none | service N discretionary | service N compulsory
//! <class> G vat V                                     (one row per VAT rate, standard, reduced, zero)
//! shares <line>:<share> ...                           (only when there is an order discount)
//! vat T total X
//! ```
//!
//! A failing case that is expected to fail (`error …`) must leave the order as it was, so its totals are
//! those of the order before the failing step.
//!
//! Why it is over 600 lines: it is one table of hand-worked cases, each with its arithmetic in a comment.

use fynlo_core::{
    catalog::VatClass,
    ids::LineNo,
    order::{Discount, Order, OrderCommand, OrderKind},
    pricing::Totals,
    settings::{ServiceChargeKind, ServiceChargePolicy},
    BasisPoints,
};

use crate::{add_line, dine_in, fixed, line_discount, menu, open, percent, policy, run, takeaway};

/// `quantity` of a product with modifiers.
fn add(product: &str, modifiers: &[&str], quantity: i64) -> OrderCommand {
    add_line(product, None, modifiers, quantity)
}

/// `quantity` of a product's variant.
fn variant(product: &str, variant: &str, quantity: i64) -> OrderCommand {
    add_line(product, Some(variant), &[], quantity)
}

/// A percent line discount, in basis points.
fn line_pct(no: u32, bp: u32) -> OrderCommand {
    line_discount(no, percent(bp))
}

/// A fixed line discount, in pence.
fn line_fixed(no: u32, pence: i64) -> OrderCommand {
    line_discount(no, fixed(pence))
}

/// A percent order discount, in basis points.
fn order_pct(bp: u32) -> OrderCommand {
    order_discount(percent(bp))
}

/// A fixed order discount, in pence.
fn order_fixed(pence: i64) -> OrderCommand {
    order_discount(fixed(pence))
}

fn order_discount(d: Discount) -> OrderCommand {
    OrderCommand::SetOrderDiscount(Some(d))
}

/// Staff remove the service charge, giving `reason`.
fn remove_sc(reason: &str) -> OrderCommand {
    OrderCommand::SetServiceCharge {
        enabled: false,
        reason: Some(reason.into()),
    }
}

/// Staff restore the service charge.
fn restore_sc() -> OrderCommand {
    OrderCommand::SetServiceCharge {
        enabled: true,
        reason: None,
    }
}

/// Switch eat-in / takeaway.
fn set_kind(kind: OrderKind) -> OrderCommand {
    OrderCommand::SetKind {
        kind,
        reason: Some("the guests changed their minds".into()),
    }
}

/// Send every unsent line to the kitchen.
fn send() -> OrderCommand {
    OrderCommand::SendToKitchen
}

/// Void a sent line.
fn void(no: u32) -> OrderCommand {
    OrderCommand::VoidLine {
        line: LineNo::new(no),
        reason: "sent in error".into(),
    }
}

/// The default rule: 12.5 %, discretionary, dine-in only.
fn default_sc() -> ServiceChargePolicy {
    ServiceChargePolicy::default()
}

/// 12.5 %, compulsory, dine-in only.
fn compulsory() -> ServiceChargePolicy {
    policy(true, 1250, ServiceChargeKind::Compulsory, true)
}

/// 12.5 %, compulsory, on every order.
fn compulsory_everywhere() -> ServiceChargePolicy {
    policy(true, 1250, ServiceChargeKind::Compulsory, false)
}

/// 12.5 %, discretionary, on every order.
fn discretionary_everywhere() -> ServiceChargePolicy {
    policy(true, 1250, ServiceChargeKind::Discretionary, false)
}

/// No service charge in the settings.
fn no_sc() -> ServiceChargePolicy {
    policy(false, 1250, ServiceChargeKind::Discretionary, true)
}

/// 10 %, discretionary, dine-in only.
fn ten_percent_sc() -> ServiceChargePolicy {
    policy(true, 1000, ServiceChargeKind::Discretionary, true)
}

struct Case {
    name: &'static str,
    kind: OrderKind,
    sc: ServiceChargePolicy,
    steps: Vec<OrderCommand>,
    /// The expected rendering (see the module docs).
    want: &'static str,
}

fn case(
    name: &'static str,
    kind: OrderKind,
    sc: ServiceChargePolicy,
    steps: Vec<OrderCommand>,
    want: &'static str,
) -> Case {
    Case {
        name,
        kind,
        sc,
        steps,
        want,
    }
}

#[rustfmt::skip]
fn cases() -> Vec<Case> {
    vec![
        // ---- VAT rates, eat-in and takeaway -------------------------------------------------------------
        // 1295; sc 1295 × 12.5% = 161.875 → 162; VAT 1295/6 = 215.83 → 216; total 1295 + 162 = 1457.
        case("burger eaten in", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 1)],
            "subtotal 1295 line disc 0 order disc 0 after 1295
             service 162 discretionary
             standard 1295 vat 216
             vat 216 total 1457"),
        // Takeaway: no service charge (dine-in only). VAT 1295/6 → 216.
        case("burger taken away", takeaway(), default_sc(),
            vec![add("burger", &["medium"], 1)],
            "subtotal 1295 line disc 0 order disc 0 after 1295
             service none
             standard 1295 vat 216
             vat 216 total 1295"),
        // Sandwich eaten in is standard-rated: VAT 450/6 = 75; sc 450 × 12.5% = 56.25 → 56; total 506.
        case("sandwich eaten in is standard-rated", dine_in(), default_sc(),
            vec![add("sandwich", &[], 1)],
            "subtotal 450 line disc 0 order disc 0 after 450
             service 56 discretionary
             standard 450 vat 75
             vat 75 total 506"),
        // Cold sandwich taken away is zero-rated: VAT 0.
        case("sandwich taken away is zero-rated", takeaway(), default_sc(),
            vec![add("sandwich", &[], 1)],
            "subtotal 450 line disc 0 order disc 0 after 450
             service none
             zero 450 vat 0
             vat 0 total 450"),
        // Two rates: standard 1295 (VAT 216), zero 450 (VAT 0); total 1745.
        case("burger and sandwich taken away: two VAT rows", takeaway(), default_sc(),
            vec![add("burger", &["medium"], 1), add("sandwich", &[], 1)],
            "subtotal 1745 line disc 0 order disc 0 after 1745
             service none
             standard 1295 vat 216
             zero 450 vat 0
             vat 216 total 1745"),
        // Opened as takeaway, switched to dine-in: 2 × 450 = 900 now standard: VAT 900/6 = 150;
        // sc 900 × 12.5% = 112.5 → 113 (half up); total 1013.
        case("takeaway switched to eat-in becomes standard-rated and charged", takeaway(), default_sc(),
            vec![add("sandwich", &[], 2), set_kind(dine_in())],
            "subtotal 900 line disc 0 order disc 0 after 900
             service 113 discretionary
             standard 900 vat 150
             vat 150 total 1013"),
        // Opened eat-in, switched to takeaway: sandwich 450 and cake 325 become zero (775); burger 1295
        // stays standard (VAT 216); no service charge; total 450 + 325 + 1295 = 2070.
        case("eat-in switched to takeaway drops the charge and zero-rates cold food", dine_in(), default_sc(),
            vec![add("sandwich", &[], 1), add("cake", &[], 1), add("burger", &["medium"], 1), set_kind(takeaway())],
            "subtotal 2070 line disc 0 order disc 0 after 2070
             service none
             standard 1295 vat 216
             zero 775 vat 0
             vat 216 total 2070"),
        // Reduced rate 5%: VAT 2100 × 5/105 = 2100/21 = 100.
        case("reduced rate", takeaway(), default_sc(),
            vec![add("carseat", &[], 1)],
            "subtotal 2100 line disc 0 order disc 0 after 2100
             service none
             reduced 2100 vat 100
             vat 100 total 2100"),
        // 1295 + 2100 + 380 = 3775; sc 3775 × 12.5% = 471.875 → 472 (discretionary: in no VAT row);
        // standard 1295/6 → 216, reduced 2100/21 = 100, zero 0; VAT 316; total 3775 + 472 = 4247.
        case("three rates in one order, rows standard, reduced, zero", dine_in(), default_sc(),
            vec![add("loaf", &[], 1), add("carseat", &[], 1), add("burger", &["medium"], 1)],
            "subtotal 3775 line disc 0 order disc 0 after 3775
             service 472 discretionary
             standard 1295 vat 216
             reduced 2100 vat 100
             zero 380 vat 0
             vat 316 total 4247"),
        // 2100 − 11 = 2089; VAT 2089/21 = 99.476 → 99.
        case("reduced VAT rounds down below a half", takeaway(), default_sc(),
            vec![add("carseat", &[], 1), line_fixed(1, 11)],
            "subtotal 2100 line disc 11 order disc 0 after 2089
             service none
             reduced 2089 vat 99
             vat 99 total 2089"),
        // 2100 − 10 = 2090; VAT 2090/21 = 99.524 → 100.
        case("reduced VAT rounds up above a half", takeaway(), default_sc(),
            vec![add("carseat", &[], 1), line_fixed(1, 10)],
            "subtotal 2100 line disc 10 order disc 0 after 2090
             service none
             reduced 2090 vat 100
             vat 100 total 2090"),

        // ---- Modifiers, variants, quantities ------------------------------------------------------------
        // (1295 + 100 + 150) × 1 = 1545; VAT 1545/6 = 257.5 → 258 (half up).
        case("positive modifier deltas", takeaway(), default_sc(),
            vec![add("burger", &["medium", "cheese", "bacon"], 1)],
            "subtotal 1545 line disc 0 order disc 0 after 1545
             service none
             standard 1545 vat 258
             vat 258 total 1545"),
        // (1295 − 50) × 2 = 2490; VAT 2490/6 = 415.
        case("negative modifier delta times quantity", takeaway(), default_sc(),
            vec![add("burger", &["rare", "no-bun"], 2)],
            "subtotal 2490 line disc 0 order disc 0 after 2490
             service none
             standard 2490 vat 415
             vat 415 total 2490"),
        // (1295 + 100 − 50) × 3 = 1345 × 3 = 4035; sc 4035 × 12.5% = 504.375 → 504;
        // VAT 4035/6 = 672.5 → 673; total 4035 + 504 = 4539.
        case("mixed deltas with quantity eaten in", dine_in(), default_sc(),
            vec![add("burger", &["well", "cheese", "no-bun"], 3)],
            "subtotal 4035 line disc 0 order disc 0 after 4035
             service 504 discretionary
             standard 4035 vat 673
             vat 673 total 4539"),
        // (450 − 20) × 2 = 860, zero-rated.
        case("negative delta on a zero-rated takeaway", takeaway(), default_sc(),
            vec![add("sandwich", &["no-butter"], 2)],
            "subtotal 860 line disc 0 order disc 0 after 860
             service none
             zero 860 vat 0
             vat 0 total 860"),
        // 450 + 30 = 480; sc 60; VAT 480/6 = 80; total 540.
        case("positive delta on a sandwich eaten in", dine_in(), default_sc(),
            vec![add("sandwich", &["mayo"], 1)],
            "subtotal 480 line disc 0 order disc 0 after 480
             service 60 discretionary
             standard 480 vat 80
             vat 80 total 540"),
        // Half 310 + pint 595 × 2 = 1190 → 1500; sc 187.5 → 188; VAT 1500/6 = 250; total 1688.
        case("variants price the line", dine_in(), default_sc(),
            vec![variant("beer", "half", 1), variant("beer", "pint", 2)],
            "subtotal 1500 line disc 0 order disc 0 after 1500
             service 188 discretionary
             standard 1500 vat 250
             vat 250 total 1688"),

        // ---- Line discounts -----------------------------------------------------------------------------
        // 1295 × 2 = 2590; 10% = 259; 2331; sc 2331 × 12.5% = 291.375 → 291; VAT 2331/6 = 388.5 → 389;
        // total 2331 + 291 = 2622.
        case("percent line discount", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 2), line_pct(1, 1000)],
            "subtotal 2590 line disc 259 order disc 0 after 2331
             service 291 discretionary
             standard 2331 vat 389
             vat 389 total 2622"),
        // 450 × 15% = 67.5 → 68; 382; sc 47.75 → 48; VAT 382/6 = 63.67 → 64; total 430.
        case("percent line discount rounds half up", dine_in(), default_sc(),
            vec![add("sandwich", &[], 1), line_pct(1, 1500)],
            "subtotal 450 line disc 68 order disc 0 after 382
             service 48 discretionary
             standard 382 vat 64
             vat 64 total 430"),
        // 1295 + 595 = 1890; −95 on the pint → 1795; sc 224.375 → 224; VAT 1795/6 = 299.17 → 299;
        // total 2019.
        case("fixed line discount", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 1), variant("beer", "pint", 1), line_fixed(2, 95)],
            "subtotal 1890 line disc 95 order disc 0 after 1795
             service 224 discretionary
             standard 1795 vat 299
             vat 299 total 2019"),
        // Cake 325 − 325 = 0 and half 310: 310; sc 38.75 → 39; VAT 310/6 = 51.67 → 52; total 349.
        case("fixed line discount equal to the line makes it free", dine_in(), default_sc(),
            vec![add("cake", &[], 1), variant("beer", "half", 1), line_fixed(1, 325)],
            "subtotal 635 line disc 325 order disc 0 after 310
             service 39 discretionary
             standard 310 vat 52
             vat 52 total 349"),
        // Sandwich 450 × 50% = 225 off the zero-rated line only: zero 225; standard 1295 (VAT 216).
        case("line discount reduces only its own rate's base", takeaway(), default_sc(),
            vec![add("burger", &["medium"], 1), add("sandwich", &[], 1), line_pct(2, 5000)],
            "subtotal 1745 line disc 225 order disc 0 after 1520
             service none
             standard 1295 vat 216
             zero 225 vat 0
             vat 216 total 1520"),
        // Sandwich 100% off (450); cake 325 left; both zero-rated taken away.
        case("100% line discount", takeaway(), default_sc(),
            vec![add("sandwich", &[], 1), add("cake", &[], 1), line_pct(1, 10_000)],
            "subtotal 775 line disc 450 order disc 0 after 325
             service none
             zero 325 vat 0
             vat 0 total 325"),

        // ---- Order discounts and their allocation -------------------------------------------------------
        // 1295 + 595 + 450 = 2340; 10% = 234. Exact shares 234 × 1295/2340 = 129.5, 234 × 595/2340 = 59.5,
        // 234 × 450/2340 = 45.0; floors 129 + 59 + 45 = 233, 1 left; remainders .5, .5, 0: tie → the earlier
        // line 1. Shares 130, 59, 45. After 2106; sc 263.25 → 263; VAT 2106/6 = 351; total 2369.
        case("percent order discount, tie to the earlier line", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 1), variant("beer", "pint", 1), add("sandwich", &[], 1), order_pct(1000)],
            "subtotal 2340 line disc 0 order disc 234 after 2106
             service 263 discretionary
             standard 2106 vat 351
             shares 1:130 2:59 3:45
             vat 351 total 2369"),
        // 1745 × 20% = 349; 349 × 1295/1745 = 259 exactly, 349 × 450/1745 = 90 exactly.
        // Standard 1295 − 259 = 1036 → VAT 172.67 → 173; zero 450 − 90 = 360; total 1396.
        case("percent order discount across two rates", takeaway(), default_sc(),
            vec![add("burger", &["medium"], 1), add("sandwich", &[], 1), order_pct(2000)],
            "subtotal 1745 line disc 0 order disc 349 after 1396
             service none
             standard 1036 vat 173
             zero 360 vat 0
             shares 1:259 2:90
             vat 173 total 1396"),
        // 1295 + 450 + 325 = 2070; 500 fixed. Exact shares 500 × 1295/2070 = 312.802, 500 × 450/2070 = 108.696,
        // 500 × 325/2070 = 78.502; floors 312 + 108 + 78 = 498, 2 left → the two largest remainders
        // (.802 line 1, .696 line 2): 313, 109, 78. Standard 1295 − 313 = 982 → VAT 163.67 → 164;
        // zero (450 − 109) + (325 − 78) = 341 + 247 = 588; total 2070 − 500 = 1570.
        case("fixed order discount by largest remainder", takeaway(), default_sc(),
            vec![add("burger", &["medium"], 1), add("sandwich", &[], 1), add("cake", &[], 1), order_fixed(500)],
            "subtotal 2070 line disc 0 order disc 500 after 1570
             service none
             standard 982 vat 164
             zero 588 vat 0
             shares 1:313 2:109 3:78
             vat 164 total 1570"),
        // Three halves 310 = 930; 100 fixed: 33.33 each, floors 99, 1 left, three-way tie → line 1:
        // 34, 33, 33. After 830; sc 103.75 → 104; VAT 830/6 = 138.33 → 138; total 934.
        case("fixed order discount over equal lines: extra penny to the first", dine_in(), default_sc(),
            vec![variant("beer", "half", 1), variant("beer", "half", 1), variant("beer", "half", 1), order_fixed(100)],
            "subtotal 930 line disc 0 order disc 100 after 830
             service 104 discretionary
             standard 830 vat 138
             shares 1:34 2:33 3:33
             vat 138 total 934"),
        // Burger × 2 = 2590, 10% line = 259 → 2331; sandwich 450; sum after line discounts 2781;
        // order 10% = 278.1 → 278. Weights are the amounts after line discounts: 278 × 2331/2781 = 233.016,
        // 278 × 450/2781 = 44.984; floors 233 + 44 = 277, 1 left → line 2 (.984): 233, 45.
        // After 2781 − 278 = 2503; sc 312.875 → 313; VAT 2503/6 = 417.17 → 417; total 2816.
        case("order discount on amounts after line discounts", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 2), add("sandwich", &[], 1), line_pct(1, 1000), order_pct(1000)],
            "subtotal 3040 line disc 259 order disc 278 after 2503
             service 313 discretionary
             standard 2503 vat 417
             shares 1:233 2:45
             vat 417 total 2816"),
        // Sandwich 100% off → weight 0, no share; burger takes all 200. After 1295 − 200 = 1095;
        // sc 136.875 → 137; VAT 1095/6 = 182.5 → 183; total 1232.
        case("a line discounted to nothing takes no order discount", dine_in(), default_sc(),
            vec![add("sandwich", &[], 1), add("burger", &["medium"], 1), line_pct(1, 10_000), order_fixed(200)],
            "subtotal 1745 line disc 450 order disc 200 after 1095
             service 137 discretionary
             standard 1095 vat 183
             shares 1:0 2:200
             vat 183 total 1232"),
        // 1295 + 595 = 1890 all off; shares equal the lines. Service 12.5% of 0 = 0; VAT of 0 = 0.
        case("100% order discount with service charge", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 1), variant("beer", "pint", 1), order_pct(10_000)],
            "subtotal 1890 line disc 0 order disc 1890 after 0
             service 0 discretionary
             standard 0 vat 0
             shares 1:1295 2:595
             vat 0 total 0"),
        // The same with a compulsory charge: 0 added to the standard row.
        case("100% order discount with compulsory service charge", dine_in(), compulsory(),
            vec![add("burger", &["medium"], 1), variant("beer", "pint", 1), order_pct(10_000)],
            "subtotal 1890 line disc 0 order disc 1890 after 0
             service 0 compulsory
             standard 0 vat 0
             shares 1:1295 2:595
             vat 0 total 0"),
        // 325 + 380 = 705, 705 off: exact shares 325 and 380.
        case("fixed order discount equal to the order", takeaway(), default_sc(),
            vec![add("cake", &[], 1), add("loaf", &[], 1), order_fixed(705)],
            "subtotal 705 line disc 0 order disc 705 after 0
             service none
             zero 0 vat 0
             shares 1:325 2:380
             vat 0 total 0"),
        // Burger + cheese 1395 − 95 = 1300; sandwich + mayo 480; car seat 2100 − 5% (105) = 1995.
        // Subtotal 3975, line discounts 200, sum 3775; order 10% = 377.5 → 378.
        // Shares: 378 × 1300/3775 = 130.17, 378 × 480/3775 = 48.06, 378 × 1995/3775 = 199.76;
        // floors 130 + 48 + 199 = 377, 1 left → line 3 (.76): 130, 48, 200.
        // Standard 1300 − 130 = 1170 → VAT 195; reduced 1995 − 200 = 1795 → 1795/21 = 85.48 → 85;
        // zero 480 − 48 = 432. After 3397; VAT 280.
        case("line and order discounts over three rates", takeaway(), default_sc(),
            vec![add("burger", &["medium", "cheese"], 1), add("sandwich", &["mayo"], 1), add("carseat", &[], 1),
                 line_fixed(1, 95), line_pct(3, 500), order_pct(1000)],
            "subtotal 3975 line disc 200 order disc 378 after 3397
             service none
             standard 1170 vat 195
             reduced 1795 vat 85
             zero 432 vat 0
             shares 1:130 2:48 3:200
             vat 280 total 3397"),
        // Pint 595 − 142 = 453 (standard), sandwich + mayo 480 − 27 = 453 (zero). 1 off: 0.5 each, a tie →
        // line 1 (the pint). Standard 452 → VAT 75.33 → 75; zero 453; total 906 − 1 = 905.
        case("order discount tie across rates: pint first", takeaway(), default_sc(),
            vec![variant("beer", "pint", 1), add("sandwich", &["mayo"], 1), line_fixed(1, 142), line_fixed(2, 27),
                 order_fixed(1)],
            "subtotal 1075 line disc 169 order disc 1 after 905
             service none
             standard 452 vat 75
             zero 453 vat 0
             shares 1:1 2:0
             vat 75 total 905"),
        // The same lines the other way round: the tied penny goes to line 1, now the sandwich. Standard 453
        // → VAT 75.5 → 76. Rule 3 (ties to the earlier line) makes the VAT split depend on line order.
        case("order discount tie across rates: sandwich first", takeaway(), default_sc(),
            vec![add("sandwich", &["mayo"], 1), variant("beer", "pint", 1), line_fixed(1, 27), line_fixed(2, 142),
                 order_fixed(1)],
            "subtotal 1075 line disc 169 order disc 1 after 905
             service none
             standard 453 vat 76
             zero 452 vat 0
             shares 1:1 2:0
             vat 76 total 905"),

        // ---- Service charge -----------------------------------------------------------------------------
        // 2590; charge removed with a reason; VAT 2590/6 = 431.67 → 432.
        case("service charge removed with a reason", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 2), remove_sc("guest complaint")],
            "subtotal 2590 line disc 0 order disc 0 after 2590
             service none
             standard 2590 vat 432
             vat 432 total 2590"),
        // Removed and restored: sc 2590 × 12.5% = 323.75 → 324; total 2914.
        case("service charge removed then restored", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 2), remove_sc("guest complaint"), restore_sc()],
            "subtotal 2590 line disc 0 order disc 0 after 2590
             service 324 discretionary
             standard 2590 vat 432
             vat 432 total 2914"),
        // Switched off in settings: none.
        case("no service charge in settings", dine_in(), no_sc(),
            vec![add("burger", &["medium"], 1)],
            "subtotal 1295 line disc 0 order disc 0 after 1295
             service none
             standard 1295 vat 216
             vat 216 total 1295"),
        // 3 × 450 = 1350; 10% = 135; VAT 1350/6 = 225; total 1485.
        case("configured 10% service charge", dine_in(), ten_percent_sc(),
            vec![add("sandwich", &[], 3)],
            "subtotal 1350 line disc 0 order disc 0 after 1350
             service 135 discretionary
             standard 1350 vat 225
             vat 225 total 1485"),
        // Charged on every order: takeaway 450 × 12.5% = 56.25 → 56, outside VAT; zero row 450.
        case("discretionary charge on every order includes takeaway", takeaway(), discretionary_everywhere(),
            vec![add("sandwich", &[], 1)],
            "subtotal 450 line disc 0 order disc 0 after 450
             service 56 discretionary
             zero 450 vat 0
             vat 0 total 506"),
        // Compulsory: sc 2590 × 12.5% = 323.75 → 324 added to standard G: 2590 + 324 = 2914;
        // VAT 2914/6 = 485.67 → 486; total 2914.
        case("compulsory service charge is standard-rated", dine_in(), compulsory(),
            vec![add("burger", &["medium"], 2)],
            "subtotal 2590 line disc 0 order disc 0 after 2590
             service 324 compulsory
             standard 2914 vat 486
             vat 486 total 2914"),
        // 3775; sc 471.875 → 472 into standard only: 1295 + 472 = 1767 → VAT 294.5 → 295;
        // reduced 2100 → 100; zero 380 → 0; VAT 395; total 4247.
        case("compulsory charge goes to the standard row only", dine_in(), compulsory(),
            vec![add("burger", &["medium"], 1), add("carseat", &[], 1), add("loaf", &[], 1)],
            "subtotal 3775 line disc 0 order disc 0 after 3775
             service 472 compulsory
             standard 1767 vat 295
             reduced 2100 vat 100
             zero 380 vat 0
             vat 395 total 4247"),
        // Only zero-rated lines: 2 × 380 = 760; sc 95; the charge alone makes a standard row:
        // 95/6 = 15.83 → 16; total 855.
        case("compulsory charge alone creates a standard row", dine_in(), compulsory(),
            vec![add("loaf", &[], 2)],
            "subtotal 760 line disc 0 order disc 0 after 760
             service 95 compulsory
             standard 95 vat 16
             zero 760 vat 0
             vat 16 total 855"),
        // Compulsory on every order, takeaway sandwich (zero): sc 56.25 → 56, standard row 56 → 9.33 → 9.
        case("compulsory charge on a zero-rated takeaway", takeaway(), compulsory_everywhere(),
            vec![add("sandwich", &[], 1)],
            "subtotal 450 line disc 0 order disc 0 after 450
             service 56 compulsory
             standard 56 vat 9
             zero 450 vat 0
             vat 9 total 506"),
        // Compulsory but dine-in only: takeaway has none, so no standard row.
        case("compulsory dine-in charge is not on takeaway", takeaway(), compulsory(),
            vec![add("sandwich", &[], 1)],
            "subtotal 450 line disc 0 order disc 0 after 450
             service none
             zero 450 vat 0
             vat 0 total 450"),
        // Compulsory charge removed: no standard row from it.
        case("compulsory charge removed leaves no standard row", dine_in(), compulsory(),
            vec![add("loaf", &[], 1), remove_sc("manager waived it")],
            "subtotal 380 line disc 0 order disc 0 after 380
             service none
             zero 380 vat 0
             vat 0 total 380"),
        // Burger × 2 2590, sandwich 450 (eaten in: standard) = 3040; 300 fixed: 300 × 2590/3040 = 255.59,
        // 300 × 450/3040 = 44.41; floors 299, 1 left → line 1 (.59): 256, 44. After 2740;
        // sc 2740 × 12.5% = 342.5 → 343; standard 2740 + 343 = 3083 → 513.83 → 514; total 3083.
        case("compulsory charge after an order discount", dine_in(), compulsory(),
            vec![add("burger", &["medium"], 2), add("sandwich", &[], 1), order_fixed(300)],
            "subtotal 3040 line disc 0 order disc 300 after 2740
             service 343 compulsory
             standard 3083 vat 514
             shares 1:256 2:44
             vat 514 total 3083"),

        // ---- Rounding edges -----------------------------------------------------------------------------
        // 4 × 1p = 4; sc 4 × 12.5% = 0.5 → 1; VAT 4/6 = 0.67 → 1; total 5.
        case("service charge of half a penny rounds up", dine_in(), default_sc(),
            vec![add("chew", &[], 4)],
            "subtotal 4 line disc 0 order disc 0 after 4
             service 1 discretionary
             standard 4 vat 1
             vat 1 total 5"),
        // 3p: sc 0.375 → 0; VAT 3/6 = 0.5 → 1.
        case("service charge below half a penny rounds down", dine_in(), default_sc(),
            vec![add("chew", &[], 3)],
            "subtotal 3 line disc 0 order disc 0 after 3
             service 0 discretionary
             standard 3 vat 1
             vat 1 total 3"),
        // VAT of 3p at 20% = 0.5 → 1.
        case("VAT of half a penny rounds up", takeaway(), default_sc(),
            vec![add("chew", &[], 3)],
            "subtotal 3 line disc 0 order disc 0 after 3
             service none
             standard 3 vat 1
             vat 1 total 3"),
        // VAT of 2p = 0.33 → 0.
        case("VAT below half a penny rounds down", takeaway(), default_sc(),
            vec![add("chew", &[], 1), add("chew", &[], 1)],
            "subtotal 2 line disc 0 order disc 0 after 2
             service none
             standard 2 vat 0
             vat 0 total 2"),
        // Compulsory on 4p: sc 0.5 → 1; standard 4 + 1 = 5 → 0.83 → 1; total 5.
        case("compulsory half-penny charge", dine_in(), compulsory(),
            vec![add("chew", &[], 4)],
            "subtotal 4 line disc 0 order disc 0 after 4
             service 1 compulsory
             standard 5 vat 1
             vat 1 total 5"),
        // 50% of 1p = 0.5 → 1: the line is free.
        case("percent line discount of half a penny rounds up", takeaway(), default_sc(),
            vec![add("chew", &[], 1), line_pct(1, 5000)],
            "subtotal 1 line disc 1 order disc 0 after 0
             service none
             standard 0 vat 0
             vat 0 total 0"),
        // 3 × 1p; 50% = 1.5 → 2; 2/3 each = 0.67, floors 0, 2 left, three-way tie → lines 1 and 2.
        // After 1; VAT 1/6 = 0.17 → 0.
        case("order discount pennies over equal lines", takeaway(), default_sc(),
            vec![add("chew", &[], 1), add("chew", &[], 1), add("chew", &[], 1), order_pct(5000)],
            "subtotal 3 line disc 0 order disc 2 after 1
             service none
             standard 1 vat 0
             shares 1:1 2:1 3:0
             vat 0 total 1"),

        // ---- Large quantities ---------------------------------------------------------------------------
        // 595 × 999 = 594405; sc 74300.625 → 74301; VAT 594405/6 = 99067.5 → 99068; total 668706.
        case("999 pints", dine_in(), default_sc(),
            vec![variant("beer", "pint", 999)],
            "subtotal 594405 line disc 0 order disc 0 after 594405
             service 74301 discretionary
             standard 594405 vat 99068
             vat 99068 total 668706"),
        // (1295 + 100 + 150 − 50) × 999 = 1495 × 999 = 1493505; VAT 1493505/6 = 248917.5 → 248918.
        case("999 burgers with every extra", takeaway(), default_sc(),
            vec![add("burger", &["well", "cheese", "bacon", "no-bun"], 999)],
            "subtotal 1493505 line disc 0 order disc 0 after 1493505
             service none
             standard 1493505 vat 248918
             vat 248918 total 1493505"),
        // 1493505 + 594405 = 2087910; 12.5% = 260988.75 → 260989. Shares 260989 × 1493505/2087910 =
        // 186688.30, × 594405/2087910 = 74300.70; floors 260988, 1 left → line 2: 186688, 74301.
        // After 1826921; sc 228365.125 → 228365; VAT 1826921/6 = 304486.83 → 304487; total 2055286.
        case("large order with a percent order discount", dine_in(), default_sc(),
            vec![add("burger", &["well", "cheese", "bacon", "no-bun"], 999), variant("beer", "pint", 999),
                 order_pct(1250)],
            "subtotal 2087910 line disc 0 order disc 260989 after 1826921
             service 228365 discretionary
             standard 1826921 vat 304487
             shares 1:186688 2:74301
             vat 304487 total 2055286"),

        // ---- Voided lines -------------------------------------------------------------------------------
        // Pint voided: only the burger counts. As "burger eaten in".
        case("voided line is left out", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 1), variant("beer", "pint", 1), send(), void(2)],
            "subtotal 1295 line disc 0 order disc 0 after 1295
             service 162 discretionary
             standard 1295 vat 216
             vat 216 total 1457"),
        // Pint (line 2) voided; 1295 + 450 = 1745; 10% = 174.5 → 175: 175 × 1295/1745 = 129.87,
        // 175 × 450/1745 = 45.13; floors 174, 1 left → line 1: 130, 45. After 1570; sc 196.25 → 196;
        // VAT 1570/6 = 261.67 → 262; total 1766.
        case("voided line takes no share of the order discount", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 1), variant("beer", "pint", 1), add("sandwich", &[], 1), send(), void(2),
                 order_pct(1000)],
            "subtotal 1745 line disc 0 order disc 175 after 1570
             service 196 discretionary
             standard 1570 vat 262
             shares 1:130 3:45
             vat 262 total 1766"),
        // Discounted burger voided: its discount goes with it. 595; sc 74.375 → 74; VAT 99.17 → 99.
        case("voided line's discount is left out too", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 1), variant("beer", "pint", 1), line_pct(1, 1000), send(), void(1)],
            "subtotal 595 line disc 0 order disc 0 after 595
             service 74 discretionary
             standard 595 vat 99
             vat 99 total 669"),

        // ---- Refusals: the order is left as it was ------------------------------------------------------
        // 326 off a 325 cake: refused; the cake is still 325.
        case("fixed line discount larger than the line", takeaway(), default_sc(),
            vec![add("cake", &[], 1), line_fixed(1, 326)],
            "error DiscountTooLarge
             subtotal 325 line disc 0 order disc 0 after 325
             service none
             zero 325 vat 0
             vat 0 total 325"),
        // 100.01% off a line: refused.
        case("percent line discount over 100%", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 1), line_pct(1, 10_001)],
            "error InvalidRate { bp: 10001 }
             subtotal 1295 line disc 0 order disc 0 after 1295
             service 162 discretionary
             standard 1295 vat 216
             vat 216 total 1457"),
        // 150% off the order: refused.
        case("percent order discount over 100%", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 1), order_pct(15_000)],
            "error InvalidRate { bp: 15000 }
             subtotal 1295 line disc 0 order disc 0 after 1295
             service 162 discretionary
             standard 1295 vat 216
             vat 216 total 1457"),
        // 311 off a 310 order: refused. 310; sc 38.75 → 39; VAT 51.67 → 52.
        case("fixed order discount larger than the order", dine_in(), default_sc(),
            vec![variant("beer", "half", 1), order_fixed(311)],
            "error DiscountTooLarge
             subtotal 310 line disc 0 order disc 0 after 310
             service 39 discretionary
             standard 310 vat 52
             vat 52 total 349"),
        // A second line discount replaces the first; 500 > 450 is refused and the 100 stays: 350.
        case("refused line discount keeps the one before", takeaway(), default_sc(),
            vec![add("sandwich", &[], 1), line_fixed(1, 100), line_fixed(1, 500)],
            "error DiscountTooLarge
             subtotal 450 line disc 100 order disc 0 after 350
             service none
             zero 350 vat 0
             vat 0 total 350"),
        // Only the burger is live (1295): 1296 off is refused.
        case("fixed order discount larger than the live lines", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 1), variant("beer", "pint", 1), send(), void(2), order_fixed(1296)],
            "error DiscountTooLarge
             subtotal 1295 line disc 0 order disc 0 after 1295
             service 162 discretionary
             standard 1295 vat 216
             vat 216 total 1457"),
        // 400 off a 450 sandwich; then 100 off the line would leave 350 < 400: refused, order unchanged.
        case("line discount that would undercut the order discount", takeaway(), default_sc(),
            vec![add("sandwich", &[], 1), order_fixed(400), line_fixed(1, 100)],
            "error DiscountTooLarge
             subtotal 450 line disc 0 order disc 400 after 50
             service none
             zero 50 vat 0
             shares 1:400
             vat 0 total 50"),
        // 1000 off 1295 + 595 = 1890: 1000 × 1295/1890 = 685.19, 1000 × 595/1890 = 314.81; floors 999,
        // 1 left → line 2: 685, 315. After 890; sc 111.25 → 111; VAT 890/6 = 148.33 → 148; total 1001.
        // Voiding the burger would leave 595 < 1000: refused.
        case("void that would undercut the order discount", dine_in(), default_sc(),
            vec![add("burger", &["medium"], 1), variant("beer", "pint", 1), order_fixed(1000), send(), void(1)],
            "error DiscountTooLarge
             subtotal 1890 line disc 0 order disc 1000 after 890
             service 111 discretionary
             standard 890 vat 148
             shares 1:685 2:315
             vat 148 total 1001"),
        // A negative fixed discount is refused.
        case("negative fixed discount", takeaway(), default_sc(),
            vec![add("sandwich", &[], 1), line_fixed(1, -1)],
            "error NegativeAmount { what: \"a discount\" }
             subtotal 450 line disc 0 order disc 0 after 450
             service none
             zero 450 vat 0
             vat 0 total 450"),
        // Removing the service charge needs a reason; a blank one is refused and the 56 stays.
        case("service charge removal without a reason", dine_in(), default_sc(),
            vec![add("sandwich", &[], 1), remove_sc("   ")],
            "error ReasonRequired
             subtotal 450 line disc 0 order disc 0 after 450
             service 56 discretionary
             standard 450 vat 75
             vat 75 total 506"),
    ]
}

/// Renders totals in the table's text form. This only writes the figures out; it computes nothing.
fn render(t: &Totals) -> Vec<String> {
    let mut out = vec![format!(
        "subtotal {} line disc {} order disc {} after {}",
        t.subtotal.get(),
        t.line_discounts.get(),
        t.order_discount.get(),
        t.after_discounts.get()
    )];
    out.push(match t.service_charge_kind {
        None if t.service_charge.is_zero() => "service none".to_owned(),
        None => format!("service {} but no kind", t.service_charge.get()),
        Some(ServiceChargeKind::Discretionary) => {
            format!("service {} discretionary", t.service_charge.get())
        }
        Some(ServiceChargeKind::Compulsory) => {
            format!("service {} compulsory", t.service_charge.get())
        }
    });
    for row in &t.vat {
        let class = match row.class {
            VatClass::Standard => "standard",
            VatClass::Reduced => "reduced",
            VatClass::Zero => "zero",
        };
        out.push(format!("{class} {} vat {}", row.gross.get(), row.vat.get()));
    }
    if !t.order_discount.is_zero() {
        let shares: Vec<String> = t
            .lines
            .iter()
            .map(|l| format!("{}:{}", l.line, l.order_discount.get()))
            .collect();
        out.push(format!("shares {}", shares.join(" ")));
    }
    out.push(format!("vat {} total {}", t.vat_total.get(), t.total.get()));
    out
}

/// Splits an expectation into lines with single spaces, ignoring blank lines and indentation.
fn normalise(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

/// Facts that hold for any totals, checked on every case besides the expectation.
fn check_shape(t: &Totals) -> Result<(), String> {
    for row in &t.vat {
        let bp = match row.class {
            VatClass::Standard => 2000,
            VatClass::Reduced => 500,
            VatClass::Zero => 0,
        };
        if row.rate != BasisPoints::new(bp) {
            return Err(format!("{:?} row has rate {:?}", row.class, row.rate));
        }
        if row.net.get() != row.gross.get() - row.vat.get() {
            return Err(format!("{:?} row: net {:?} is not gross - vat", row.class, row.net));
        }
    }
    for line in &t.lines {
        let net = line.gross.get() - line.line_discount.get() - line.order_discount.get();
        if line.net.get() != net {
            return Err(format!("line {}: net {:?}, want {net}", line.line, line.net));
        }
    }
    Ok(())
}

/// Runs one case; `Err` says what differed.
fn check(case: &Case) -> Result<(), String> {
    let catalog = menu();
    let mut order: Order = open(case.kind.clone(), case.sc);
    let mut want = normalise(case.want);
    let want_error = want.first().filter(|l| l.starts_with("error ")).cloned();
    if want_error.is_some() {
        want.remove(0);
    }
    let last = case.steps.len() - 1;
    for (i, step) in case.steps.iter().enumerate() {
        match run(&order, step, &catalog) {
            Ok(_) if i == last && want_error.is_some() => {
                return Err(format!("last step succeeded, want {}", want_error.unwrap_or_default()));
            }
            Ok(next) => order = next,
            Err(e) if i == last && want_error.is_some() => {
                let got = format!("error {e:?}");
                if Some(&got) != want_error.as_ref() {
                    return Err(format!("got {got}, want {}", want_error.unwrap_or_default()));
                }
            }
            Err(e) => return Err(format!("step {} failed: {e:?} ({e})", i + 1)),
        }
    }
    let totals = order.totals().map_err(|e| format!("totals failed: {e:?}"))?;
    check_shape(&totals)?;
    let got = render(&totals);
    if got != want {
        return Err(format!(
            "totals differ\n  want:\n    {}\n  got:\n    {}",
            want.join("\n    "),
            got.join("\n    ")
        ));
    }
    Ok(())
}

#[test]
fn pricing_table() {
    let cases = cases();
    assert!(cases.len() >= 45, "the table has {} cases", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names are unique");

    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| check(c).err().map(|why| format!("case {:?}: {why}", c.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} pricing cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
