//! Printing through the command set, to loopback TCP printers (`fynlo_print::testing`) that record the
//! bytes they get: the jobs a save causes are written with it and print once; a sale completes whatever
//! the printer does; a printer that refuses a job keeps it waiting as it was, and one that drops the
//! connection part-way gets it again under the REPRINT banner; reprints are marked DUPLICATE; printers
//! and the no-sale drawer are a manager's.

use std::{net::SocketAddr, time::Duration};

use fynlo_app::{printing::Spooler, view::JobsView, ErrorCode, Reply};
use fynlo_print::testing::{Behaviour, LoopbackHandle, LoopbackPrinter};
use fynlo_store::JobState;

use crate::{pin, Fixture};

pub(crate) const WAIT: Duration = Duration::from_secs(10);
const PRIYA: &str = r#"{"pin": "2468", "staff": "priya"}"#;

pub(crate) async fn printer(behaviour: Behaviour) -> (SocketAddr, LoopbackHandle) {
    LoopbackPrinter::start(behaviour)
        .await
        .expect("a loopback printer starts")
}

pub(crate) fn config(id: &str, addr: SocketAddr, stations: &[&str], receipts: bool, drawer: bool) -> String {
    let stations: Vec<String> = stations.iter().map(|s| format!("{s:?}")).collect();
    format!(
        r#"{{"id": "{id}", "name": "{id} printer", "transport": {{"type": "tcp", "host": "127.0.0.1", "port": {}}},
            "width": 42, "stations": [{}], "receipts": {receipts}, "auto_print": {receipts}{}}}"#,
        addr.port(),
        stations.join(", "),
        if drawer { r#", "drawer": "pin2""# } else { "" }
    )
}

pub(crate) async fn add_printer(f: &mut Fixture, config: &str) {
    f.ok(&format!(
        r#"{{"cmd": "add_printer", "printer": {config}, "approval": {PRIYA}}}"#
    ))
    .await;
}

fn jobs_of(reply: Reply) -> JobsView {
    match reply {
        Reply::Jobs(jobs) => jobs,
        other => panic!("expected jobs, got {other:?}"),
    }
}

pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A dine-in order of a burger (kitchen) and a pint (bar), sent to the kitchen.
async fn sent_order(f: &mut Fixture) {
    f.order(r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "7", "covers": 2}}"#)
        .await;
    f.order(r#"{"cmd": "add_line", "product": "burger", "note": "no onions"}"#)
        .await;
    f.order(r#"{"cmd": "add_line", "product": "lager", "variant": "pint"}"#)
        .await;
    f.order(r#"{"cmd": "send_to_kitchen"}"#).await;
}

async fn states(f: &Fixture) -> Vec<(String, JobState)> {
    let mut jobs = f.till.store().jobs(100).await.expect("jobs");
    jobs.reverse();
    jobs.into_iter()
        .map(|j| (j.spec["job"].as_str().unwrap_or("?").to_owned(), j.state))
        .collect()
}

/// Pays the current order (or the one named) exactly, in cash.
async fn pay_exactly(f: &mut Fixture, order: Option<&str>) -> fynlo_app::view::OrderView {
    let named = order.map(|o| format!(r#", "order": "{o}""#)).unwrap_or_default();
    let total = f
        .order(&format!(r#"{{"cmd": "show_order"{named}}}"#))
        .await
        .totals
        .total
        .0;
    f.order(&format!(r#"{{"cmd": "take_cash", "tendered": {total}{named}}}"#))
        .await
}

/// A manager points a printer at another address (with the same set-up otherwise).
async fn change_printer(f: &mut Fixture, config: &str) {
    f.ok(&format!(
        r#"{{"cmd": "change_printer", "printer": {config}, "approval": {PRIYA}}}"#
    ))
    .await;
}

fn spooler(f: &Fixture) -> Spooler {
    f.till.spooler()
}

#[tokio::test]
async fn a_sale_prints_its_tickets_drawer_and_receipt_once_each() {
    let mut f = Fixture::logged_in().await;
    let (addr, paper) = printer(Behaviour::Normal).await;
    add_printer(&mut f, &config("counter", addr, &["kitchen", "bar"], true, true)).await;
    sent_order(&mut f).await;
    // The send's save wrote a ticket per station, nothing printed yet.
    assert_eq!(
        states(&f).await,
        vec![
            ("kitchen".into(), JobState::Pending),
            ("kitchen".into(), JobState::Pending)
        ]
    );
    let total = f.order(r#"{"cmd": "show_order"}"#).await.totals.total.0;
    let o = f
        .order(&format!(r#"{{"cmd": "take_cash", "tendered": {}}}"#, total + 500))
        .await;
    let id = o.id.clone();
    assert_eq!(o.state.as_str(), "completed");
    // The payment's save added the drawer kick, then the receipt.
    let s = states(&f).await;
    assert_eq!(
        s[2..],
        [
            ("drawer".into(), JobState::Pending),
            ("receipt".into(), JobState::Pending)
        ]
    );
    let report = spooler(&f).pass().await.expect("a pass");
    assert_eq!((report.printed, report.waiting), (4, 0));
    let jobs = paper.wait_for_jobs(4, WAIT).await;
    assert_eq!(jobs.len(), 4);
    // Kitchen ticket: the burger and its note, never the pint; bar ticket: the pint.
    assert!(contains(&jobs[0], b"beef") && contains(&jobs[0], b"no onions") && !contains(&jobs[0], b"lager"));
    assert!(contains(&jobs[1], b"lager") && !contains(&jobs[1], b"beef"));
    // The drawer: initialise, then ESC p 0 25 250 (pin 2).
    assert_eq!(jobs[2], [0x1B, b'@', 0x1B, b'p', 0, 25, 250]);
    // The receipt: the restaurant, the VAT number, pounds as PC858's 0x9C, a cut.
    assert!(contains(&jobs[3], b"The Copper Kettle") && contains(&jobs[3], b"GB246813579"));
    assert!(contains(&jobs[3], &[0x9C]));
    assert!(!contains(&jobs[3], b"DUPLICATE"));
    assert!(states(&f).await.iter().all(|(_, s)| *s == JobState::Done));
    // Another pass prints nothing again; a second send has nothing to send and adds no ticket.
    assert_eq!(spooler(&f).pass().await.expect("a pass").printed, 0);
    f.refused(
        &format!(r#"{{"cmd": "send_to_kitchen", "order": "{id}"}}"#),
        ErrorCode::OrderClosed,
    )
    .await;
    assert_eq!(states(&f).await.len(), 4);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(paper.jobs().len(), 4);
}

#[tokio::test]
async fn a_reprint_is_marked_duplicate_and_previews_match_the_paper() {
    let mut f = Fixture::logged_in().await;
    let (addr, paper) = printer(Behaviour::Normal).await;
    add_printer(&mut f, &config("counter", addr, &[], true, false)).await;
    let id = f
        .order(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#)
        .await
        .id;
    f.order(r#"{"cmd": "add_line", "product": "flat-white"}"#).await;
    pay_exactly(&mut f, None).await;
    let preview = match f.ok(&format!(r#"{{"cmd": "receipt_preview", "order": "{id}"}}"#)).await {
        Reply::Preview(p) => p,
        other => panic!("{other:?}"),
    };
    // Printed once already (auto-print): the preview and the reprint say DUPLICATE.
    assert_eq!(preview.documents.len(), 1);
    assert_eq!(preview.documents[0].width, 42);
    assert!(preview.documents[0].text.contains("DUPLICATE"));
    assert!(preview.documents[0].text.lines().all(|l| l.chars().count() <= 42));
    let jobs = jobs_of(f.ok(&format!(r#"{{"cmd": "print_receipt", "order": "{id}"}}"#)).await);
    assert!(jobs.jobs[0].duplicate);
    spooler(&f).pass().await.expect("a pass");
    let printed = paper.wait_for_jobs(2, WAIT).await;
    assert_eq!(printed.len(), 2);
    assert!(!contains(&printed[0], b"DUPLICATE"));
    assert!(contains(&printed[1], b"DUPLICATE"));
    // Every line of the preview's text is on the paper.
    // (The banner's frame of `*` is the text form of the paper's inverted band.)
    let words = preview.documents[0].text.lines().map(str::trim);
    for line in words.filter(|l| l.is_ascii() && l.len() > 3 && !l.starts_with('*')) {
        assert!(contains(&printed[1], line.as_bytes()), "{line:?} is not on the paper");
    }
    // A refund prints its refund receipt on its own (auto-print); printing it again is a copy.
    let paid = f.order(&format!(r#"{{"cmd": "show_order", "order": "{id}"}}"#)).await;
    let refunded = f
        .order(&format!(
            r#"{{"cmd": "refund", "order": "{id}", "payment": "{}", "amount": 100, "reason": "cold", "approval": {PRIYA}}}"#,
            paid.payments[0].id
        ))
        .await;
    let refund = &refunded.refunds[0].id;
    let jobs = jobs_of(
        f.ok(&format!(
            r#"{{"cmd": "print_receipt", "order": "{id}", "refund": "{refund}"}}"#
        ))
        .await,
    );
    assert_eq!(jobs.jobs[0].what, "refund_receipt");
    assert!(jobs.jobs[0].duplicate);
    // Both copies are reprints in the audit log; the first receipts are not.
    let reprints = f
        .till
        .store()
        .audit_entries(50, Some("receipt.reprinted"))
        .await
        .expect("the audit log");
    assert_eq!(reprints.len(), 2);
    assert!(reprints[0].detail.contains(refund.as_str()) && reprints[1].detail.contains(id.as_str()));
}

#[tokio::test]
async fn paper_out_keeps_the_job_waiting_and_the_sale_goes_on() {
    let mut f = Fixture::logged_in().await;
    let (empty, empty_paper) = printer(Behaviour::PaperOut).await;
    add_printer(&mut f, &config("counter", empty, &["kitchen", "bar"], true, false)).await;
    sent_order(&mut f).await;
    let report = spooler(&f).pass().await.expect("a pass");
    assert_eq!((report.printed, report.waiting), (0, 2));
    let waiting = f.till.store().waiting_jobs().await.expect("jobs");
    assert_eq!(
        (waiting[0].state, waiting[0].attempts, waiting[0].reprint),
        (JobState::Pending, 1, false)
    );
    assert!(
        waiting[0].last_error.as_deref().unwrap_or("").contains("paper"),
        "{waiting:?}"
    );
    // The second job waits behind the first, untried.
    assert_eq!(waiting[1].attempts, 0);
    assert!(empty_paper.jobs().is_empty());
    // The sale completes all the same.
    let paid = pay_exactly(&mut f, None).await;
    let id = paid.id.clone();
    assert_eq!(paid.state.as_str(), "completed");
    // The printer screen shows the problem.
    match f.ok(r#"{"cmd": "printers"}"#).await {
        Reply::Printers(p) => {
            assert_eq!(p.printers[0].waiting, 3);
            assert_eq!(p.waiting.len(), 3);
            assert!(p.printers[0].problem.as_deref().unwrap_or("").contains("paper"));
        }
        other => panic!("{other:?}"),
    }
    // The jobs list shows them; a manager (only) may cancel one, which then never prints.
    let listed = jobs_of(f.ok(r#"{"cmd": "print_jobs", "limit": 10}"#).await);
    assert_eq!(listed.jobs.len(), 3);
    assert!(listed
        .jobs
        .iter()
        .all(|j| j.state == fynlo_app::view::JobStateView::Pending));
    assert_eq!(listed.jobs[0].what, "receipt");
    f.refused(r#"{"cmd": "cancel_print", "job": 3}"#, ErrorCode::ApprovalRequired)
        .await;
    let extra = jobs_of(f.ok(&format!(r#"{{"cmd": "print_receipt", "order": "{id}"}}"#)).await).jobs[0].id;
    let cancelled = jobs_of(
        f.ok(&format!(
            r#"{{"cmd": "cancel_print", "job": {extra}, "approval": {PRIYA}}}"#
        ))
        .await,
    );
    assert_eq!(cancelled.jobs[0].state, fynlo_app::view::JobStateView::Cancelled);
    f.refused(
        &format!(r#"{{"cmd": "cancel_print", "job": {extra}, "approval": {PRIYA}}}"#),
        ErrorCode::InvalidTransition,
    )
    .await;
    // Paper in (the printer now answers from a working loopback): retry prints each job once.
    let (addr, paper) = printer(Behaviour::Normal).await;
    change_printer(&mut f, &config("counter", addr, &["kitchen", "bar"], true, false)).await;
    f.ok(r#"{"cmd": "retry_prints"}"#).await;
    let report = spooler(&f).pass().await.expect("a pass");
    assert_eq!((report.printed, report.waiting), (3, 0));
    let printed = paper.wait_for_jobs(3, WAIT).await;
    assert_eq!(printed.len(), 3);
    assert!(printed.iter().all(|j| !contains(j, b"REPRINT")));
}

#[tokio::test]
async fn a_job_cut_off_part_way_prints_again_under_the_reprint_banner() {
    let mut f = Fixture::logged_in().await;
    let (flaky, _flaky_paper) = printer(Behaviour::DropMidJob { after: 20 }).await;
    add_printer(&mut f, &config("kitchen", flaky, &["kitchen"], false, false)).await;
    f.order(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
    f.order(r#"{"cmd": "add_line", "product": "burger"}"#).await;
    f.order(r#"{"cmd": "send_to_kitchen"}"#).await;
    spooler(&f).pass().await.expect("a pass");
    let job = &f.till.store().waiting_jobs().await.expect("jobs")[0];
    assert_eq!((job.state, job.reprint), (JobState::Uncertain, true), "{job:?}");
    let (addr, paper) = printer(Behaviour::Normal).await;
    change_printer(&mut f, &config("kitchen", addr, &["kitchen"], false, false)).await;
    f.ok(r#"{"cmd": "retry_prints", "id": "kitchen"}"#).await;
    assert_eq!(spooler(&f).pass().await.expect("a pass").printed, 1);
    let printed = paper.wait_for_jobs(1, WAIT).await;
    assert!(contains(&printed[0], b"REPRINT") && contains(&printed[0], b"beef"));
    assert_eq!(states(&f).await, vec![("kitchen".into(), JobState::Done)]);
}

#[tokio::test]
async fn a_printer_that_never_answers_gets_nothing_and_keeps_the_job() {
    let mut f = Fixture::logged_in().await;
    let (addr, silent) = printer(Behaviour::NeverAnswers).await;
    add_printer(&mut f, &config("kitchen", addr, &["kitchen"], false, false)).await;
    f.order(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
    f.order(r#"{"cmd": "add_line", "product": "burger"}"#).await;
    f.order(r#"{"cmd": "send_to_kitchen"}"#).await;
    spooler(&f).pass().await.expect("a pass");
    let job = &f.till.store().waiting_jobs().await.expect("jobs")[0];
    assert_eq!((job.state, job.reprint), (JobState::Pending, false), "{job:?}");
    assert!(job.last_error.is_some());
    assert!(silent.jobs().is_empty());
}

#[tokio::test]
async fn a_void_of_a_sent_line_prints_a_void_ticket_on_its_station() {
    let mut f = Fixture::logged_in().await;
    let (addr, paper) = printer(Behaviour::Normal).await;
    add_printer(&mut f, &config("kitchen", addr, &["kitchen"], false, false)).await;
    f.order(r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "7", "covers": 2}}"#)
        .await;
    f.order(r#"{"cmd": "add_line", "product": "burger", "note": "no onions"}"#)
        .await;
    f.order(r#"{"cmd": "add_line", "product": "lager", "variant": "pint"}"#)
        .await;
    // The preview shows what the send will print: a ticket per station, and where it goes.
    let preview = match f.ok(r#"{"cmd": "ticket_preview"}"#).await {
        Reply::Preview(p) => p,
        other => panic!("{other:?}"),
    };
    assert_eq!(preview.documents.len(), 2);
    assert_eq!(preview.documents[0].printers, ["kitchen"]);
    assert!(preview.documents[0].text.contains("no onions") && preview.documents[0].text.contains("beef"));
    assert!(preview.documents[1].printers.is_empty() && preview.documents[1].text.contains("lager"));
    f.order(r#"{"cmd": "send_to_kitchen"}"#).await;
    // Nothing is left to send: the preview is empty.
    match f.ok(r#"{"cmd": "ticket_preview"}"#).await {
        Reply::Preview(p) => assert!(p.documents.is_empty()),
        other => panic!("{other:?}"),
    }
    f.order(&format!(
        r#"{{"cmd": "void_line", "line": 1, "reason": "sent back", "approval": {PRIYA}}}"#
    ))
    .await;
    // The bar's line has no printer here: one ticket and one VOID, both the kitchen's.
    assert_eq!(
        states(&f).await,
        vec![
            ("kitchen".into(), JobState::Pending),
            ("void".into(), JobState::Pending)
        ]
    );
    spooler(&f).pass().await.expect("a pass");
    let printed = paper.wait_for_jobs(2, WAIT).await;
    assert!(contains(&printed[1], b"VOID") && contains(&printed[1], b"beef") && contains(&printed[1], b"sent back"));
}

#[tokio::test]
async fn printers_and_the_no_sale_drawer_are_a_managers() {
    let mut f = Fixture::logged_in().await;
    let (addr, paper) = printer(Behaviour::Normal).await;
    let good = config("counter", addr, &[], true, true);
    // A cashier alone cannot set printers up, open the drawer, or cancel a job.
    f.refused(
        &format!(r#"{{"cmd": "add_printer", "printer": {good}}}"#),
        ErrorCode::ApprovalRequired,
    )
    .await;
    // A cashier's own PIN is not a manager's (and counts as a wrong PIN).
    let err = f
        .exec(&format!(
            r#"{{"cmd": "add_printer", "printer": {good}, "approval": {{"pin": "1357", "staff": "sam"}}}}"#
        ))
        .await
        .expect_err("a cashier cannot approve");
    assert_eq!(err.code, ErrorCode::WrongPin);
    // Bad set-ups are refused by field, changing nothing.
    for bad in [
        good.replace(r#""width": 42"#, r#""width": 40"#),
        good.replace(r#""id": "counter""#, r#""id": "../x""#),
        good.replace(
            &format!(r#"{{"type": "tcp", "host": "127.0.0.1", "port": {}}}"#, addr.port()),
            r#"{"type": "file", "name": "../till.db"}"#,
        ),
        good.replace(r#""receipts": true"#, r#""receipts": false"#),
        // A station no product goes to (a typo): its tickets would go nowhere.
        good.replace(r#""stations": []"#, r#""stations": ["kichen"]"#),
    ] {
        f.refused(
            &format!(r#"{{"cmd": "add_printer", "printer": {bad}, "approval": {PRIYA}}}"#),
            ErrorCode::InvalidInput,
        )
        .await;
    }
    add_printer(&mut f, &good).await;
    f.refused(
        &format!(r#"{{"cmd": "add_printer", "printer": {good}, "approval": {PRIYA}}}"#),
        ErrorCode::Conflict,
    )
    .await;
    // The same checks hold when a printer is changed.
    let typo = good.replace(r#""stations": []"#, r#""stations": ["kichen"]"#);
    f.refused(
        &format!(r#"{{"cmd": "change_printer", "printer": {typo}, "approval": {PRIYA}}}"#),
        ErrorCode::InvalidInput,
    )
    .await;
    f.refused(
        &format!(r#"{{"cmd": "change_printer", "printer": {good}}}"#),
        ErrorCode::ApprovalRequired,
    )
    .await;
    f.refused(
        r#"{"cmd": "open_drawer", "reason": "change for the float"}"#,
        ErrorCode::ApprovalRequired,
    )
    .await;
    f.refused(
        &format!(r#"{{"cmd": "open_drawer", "reason": " ", "approval": {PRIYA}}}"#),
        ErrorCode::ReasonRequired,
    )
    .await;
    let before = f.till.store().outbox_stats().await.expect("stats");
    let jobs = jobs_of(
        f.ok(&format!(
            r#"{{"cmd": "open_drawer", "reason": "change for the float", "approval": {PRIYA}}}"#
        ))
        .await,
    );
    assert_eq!(jobs.jobs[0].what, "drawer");
    // The no-sale is in the outbox, with who and who approved.
    let after = f.till.store().outbox_stats().await.expect("stats");
    assert_eq!(after.count, before.count + 1);
    let last = f.till.store().outbox_after(after.count - 1, 1).await.expect("outbox");
    assert_eq!(last[0].op_type, "drawer.opened");
    assert_eq!(last[0].payload["staff"], "sam");
    assert_eq!(last[0].payload["approved_by"], "priya");
    spooler(&f).pass().await.expect("a pass");
    assert_eq!(
        paper.wait_for_jobs(1, WAIT).await[0],
        [0x1B, b'@', 0x1B, b'p', 0, 25, 250]
    );
    // A test page, then a manager removes the printer.
    jobs_of(f.ok(r#"{"cmd": "test_printer", "id": "counter"}"#).await);
    f.refused(
        r#"{"cmd": "remove_printer", "id": "counter"}"#,
        ErrorCode::ApprovalRequired,
    )
    .await;
    f.ok(&format!(
        r#"{{"cmd": "remove_printer", "id": "counter", "approval": {PRIYA}}}"#
    ))
    .await;
    // The test page never printed: it failed with its printer.
    let jobs = f.till.store().jobs(1).await.expect("jobs");
    assert_eq!(jobs[0].state, JobState::Failed);
    let _ = pin("sam");
}

#[tokio::test]
async fn the_dev_mode_demo_prints_to_a_file_beside_the_database() {
    use std::sync::Arc;

    use fynlo_app::setup::{init, SetupFile};

    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("till.db");
    let ids = Arc::new(crate::Counter::default());
    let store = init(
        &path,
        &SetupFile::demo_with_printer().expect("the demo"),
        &crate::FixedClock,
        ids.as_ref(),
    )
    .await
    .expect("sets up");
    let clock = Arc::new(crate::TestClock::default());
    let till = fynlo_app::Till::with_store(store, crate::services(ids, Arc::clone(&clock)))
        .await
        .expect("starts");
    let mut f = Fixture::of(dir, path.clone(), till, clock);
    f.ok(&format!(r#"{{"cmd": "login", "pin": "{}"}}"#, pin("sam"))).await;
    f.order(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#).await;
    f.order(r#"{"cmd": "add_line", "product": "burger"}"#).await;
    f.order(r#"{"cmd": "send_to_kitchen"}"#).await;
    pay_exactly(&mut f, None).await;
    // Ticket, drawer, receipt: all appended to prints/counter.escpos.
    assert_eq!(spooler(&f).pass().await.expect("a pass").printed, 3);
    let bytes = std::fs::read(path.with_file_name("prints").join("counter.escpos")).expect("the file printer's file");
    assert!(contains(&bytes, b"beef") && contains(&bytes, b"The Copper Kettle"));
    assert!(contains(&bytes, &[0x1B, b'p', 0, 25, 250]));
}

/// Each kind of printer the loopback can play: the sale completes whatever it does, each job ends in the
/// right state, and once a working printer takes over every job prints exactly once — the one cut off
/// part-way under the REPRINT banner, the others without.
#[tokio::test]
async fn every_kind_of_printer_leaves_the_sale_complete_and_each_job_printed_once() {
    let cases = [
        (Behaviour::Normal, None),
        (Behaviour::Slow, None),
        (Behaviour::DropMidJob { after: 12 }, Some(JobState::Uncertain)),
        (Behaviour::NeverAnswers, Some(JobState::Pending)),
        (Behaviour::PaperOut, Some(JobState::Pending)),
    ];
    for (behaviour, stuck) in cases {
        let mut f = Fixture::logged_in().await;
        let (addr, first) = printer(behaviour).await;
        add_printer(&mut f, &config("counter", addr, &["kitchen", "bar"], true, true)).await;
        sent_order(&mut f).await;
        let o = pay_exactly(&mut f, None).await;
        assert_eq!(o.state.as_str(), "completed", "{behaviour:?}: the sale completes");
        // Two tickets, the drawer, the receipt.
        let report = spooler(&f).pass().await.expect("a pass");
        let jobs = f.till.store().jobs(10).await.expect("jobs");
        match stuck {
            None => {
                assert_eq!((report.printed, report.waiting), (4, 0), "{behaviour:?}");
                assert_eq!(first.wait_for_jobs(4, WAIT).await.len(), 4, "{behaviour:?}");
                assert!(jobs.iter().all(|j| j.state == JobState::Done && !j.reprint));
                continue;
            }
            Some(state) => {
                // The first job is stuck in its state; the others wait behind it, untried.
                let oldest = jobs.last().expect("the first job");
                assert_eq!(oldest.state, state, "{behaviour:?}: {oldest:?}");
                assert_eq!(oldest.reprint, state == JobState::Uncertain, "{behaviour:?}");
                assert!(oldest.last_error.is_some());
                assert!(jobs[..3]
                    .iter()
                    .all(|j| j.state == JobState::Pending && j.attempts == 0));
                assert_eq!(report.waiting, 4, "{behaviour:?}");
            }
        }
        // A working printer takes over: each job prints once.
        let (addr, paper) = printer(Behaviour::Normal).await;
        change_printer(&mut f, &config("counter", addr, &["kitchen", "bar"], true, true)).await;
        f.ok(r#"{"cmd": "retry_prints"}"#).await;
        assert_eq!(spooler(&f).pass().await.expect("a pass").printed, 4, "{behaviour:?}");
        let printed = paper.wait_for_jobs(4, WAIT).await;
        assert_eq!(printed.len(), 4, "{behaviour:?}");
        let banners = printed.iter().filter(|j| contains(j, b"REPRINT")).count();
        assert_eq!(banners, usize::from(state_is_uncertain(stuck)), "{behaviour:?}");
        assert_eq!(spooler(&f).pass().await.expect("a pass").printed, 0);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(paper.jobs().len(), 4, "{behaviour:?}: nothing twice");
    }
}

fn state_is_uncertain(state: Option<JobState>) -> bool {
    state == Some(JobState::Uncertain)
}

/// Found by review: a job left `sending` (its pass cut off) is printed again under the REPRINT banner by
/// the next pass, not left to stop its printer for good; a receipt whose only earlier job was cancelled,
/// or an unpaid bill, is not a DUPLICATE; a drawer kick that could not go out within a minute is
/// dropped; a waiting printer is looked at again when its first job is due, not at once.
#[tokio::test]
async fn the_spooler_recovers_and_marks_only_real_copies() {
    let mut f = Fixture::logged_in().await;
    let (addr, paper) = printer(Behaviour::Normal).await;
    add_printer(&mut f, &config("counter", addr, &[], true, false)).await;
    let id = f
        .order(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#)
        .await
        .id;
    f.order(r#"{"cmd": "add_line", "product": "chips"}"#).await;
    // The bill before payment is not a receipt: printing it twice marks neither DUPLICATE.
    for _ in 0..2 {
        let jobs = jobs_of(f.ok(&format!(r#"{{"cmd": "print_receipt", "order": "{id}"}}"#)).await);
        assert!(!jobs.jobs[0].duplicate);
    }
    // A pass cut off while the first bill was on the wire leaves it `sending`.
    let first = jobs_of(f.ok(r#"{"cmd": "print_jobs"}"#).await).jobs[1].id;
    f.till
        .store()
        .job_sending(first, fynlo_core::time::Timestamp::from_millis(0))
        .await
        .expect("sending");
    assert_eq!(spooler(&f).pass().await.expect("a pass").printed, 2);
    let printed = paper.wait_for_jobs(2, WAIT).await;
    assert!(contains(&printed[0], b"REPRINT") && !contains(&printed[1], b"REPRINT"));
    // Paid (auto-print is on): the receipt job is cancelled before it prints, so the next is no copy.
    pay_exactly(&mut f, Some(&id)).await;
    let receipt = jobs_of(f.ok(r#"{"cmd": "print_jobs", "limit": 1}"#).await).jobs[0].id;
    f.ok(&format!(
        r#"{{"cmd": "cancel_print", "job": {receipt}, "approval": {PRIYA}}}"#
    ))
    .await;
    let jobs = jobs_of(f.ok(&format!(r#"{{"cmd": "print_receipt", "order": "{id}"}}"#)).await);
    assert!(!jobs.jobs[0].duplicate, "the cancelled receipt never reached paper");
    let jobs = jobs_of(f.ok(&format!(r#"{{"cmd": "print_receipt", "order": "{id}"}}"#)).await);
    assert!(jobs.jobs[0].duplicate, "the one before is on its way");
    assert_eq!(spooler(&f).pass().await.expect("a pass").printed, 2);
    // A drawer kick that waited over a minute is dropped, not sent.
    let (dead, _dead_paper) = printer(Behaviour::NeverAnswers).await;
    change_printer(&mut f, &config("counter", dead, &[], true, true)).await;
    f.ok(&format!(
        r#"{{"cmd": "open_drawer", "reason": "float", "approval": {PRIYA}}}"#
    ))
    .await;
    f.ok(r#"{"cmd": "test_printer", "id": "counter"}"#).await;
    let report = spooler(&f).pass().await.expect("a pass");
    assert_eq!((report.printed, report.waiting), (0, 2));
    // The second job waits behind the first: the next look is when the first is due, not now.
    let now = fynlo_core::time::Clock::now(f.clock.as_ref()).millis();
    assert!(report.next_due.is_some_and(|due| due.millis() > now), "{report:?}");
    f.clock.advance(61_000);
    let (addr, paper) = printer(Behaviour::Normal).await;
    change_printer(&mut f, &config("counter", addr, &[], true, true)).await;
    f.ok(r#"{"cmd": "retry_prints"}"#).await;
    let report = spooler(&f).pass().await.expect("a pass");
    assert_eq!((report.printed, report.waiting), (1, 0), "only the test page prints");
    let jobs = f.till.store().jobs(2).await.expect("jobs");
    assert_eq!(jobs[1].state, JobState::Failed);
    assert_eq!(jobs[1].last_error.as_deref(), Some("too late to open the drawer"));
    assert_eq!(paper.wait_for_jobs(1, WAIT).await.len(), 1);
}
