//! Printing through a real CUPS: ESC/POS bytes through a raw queue arrive at the (loopback) printer
//! unchanged, and the text rendering printed as plain text to a PDF printer (cups-pdf) comes out with
//! the same lines.
//!
//! It needs a running cupsd with the printer `FYNLO_PDF`, which `bash scripts/cups.sh` sets up, and it
//! runs only when `FYNLO_CUPS=1`: then it fails (it does not skip) when CUPS cannot be used. Without
//! it, it says it was not run.
#![cfg_attr(
    not(all(feature = "system", not(any(target_os = "ios", target_os = "android")))),
    allow(dead_code, unused_imports)
)]

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant, SystemTime},
};

use fynlo_core::document::{Block, Document, DocumentKind, Size, Style};
use fynlo_print::{
    render_escpos, render_text,
    testing::{Behaviour, LoopbackPrinter},
    Profile, QrMode, Width,
};

/// How long CUPS may take to deliver a job.
const DELIVERY: Duration = Duration::from_secs(60);

fn enabled(test: &str) -> bool {
    let on = std::env::var("FYNLO_CUPS").is_ok_and(|v| v == "1");
    if !on {
        println!("{test}: not run (set FYNLO_CUPS=1 after `bash scripts/cups.sh` to print through CUPS)");
    }
    on
}

fn receipt() -> Document {
    let mut doc = Document::new(DocumentKind::Receipt);
    doc.push(Block::text(
        "Café Fynlo",
        Style::center().with_bold().with_size(Size::Double),
    ))
    .push(Block::row("Order 1042", "Table 7", Style::NORMAL))
    .push(Block::rule())
    .push(Block::row("2x Crème brûlée", "£13.00", Style::NORMAL))
    .push(Block::row("Bière blonde", "€4.80", Style::NORMAL))
    .push(Block::row("TOTAL", "£17.80", Style::bold()))
    .push(Block::Qr {
        data: "https://pay.fynlo.co.uk/r/1042".into(),
        caption: "Scan to pay".into(),
    });
    doc
}

/// Runs a CUPS command, failing the test with what it said if it fails.
fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("CUPS is not usable: {program} could not run: {e}"));
    assert!(
        out.status.success(),
        "CUPS is not usable: {program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A raw queue for the test, removed when dropped.
struct RawQueue(String);

impl Drop for RawQueue {
    fn drop(&mut self) {
        // Best effort: a queue left behind is removed by the next run of the same port, or by hand.
        let _ = Command::new("lpadmin").args(["-x", &self.0]).output();
    }
}

#[cfg(all(feature = "system", not(any(target_os = "ios", target_os = "android"))))]
#[tokio::test]
async fn escpos_through_a_raw_queue_arrives_unchanged() {
    use fynlo_print::{SystemFormat, SystemPrinter};

    if !enabled("escpos_through_a_raw_queue_arrives_unchanged") {
        return;
    }
    assert!(
        run("lpstat", &["-r"]).contains("scheduler is running"),
        "CUPS is not usable: cupsd is not running"
    );
    let (addr, handle) = LoopbackPrinter::start(Behaviour::Normal)
        .await
        .expect("the loopback printer starts");
    let queue = RawQueue(format!("FYNLO_RAW_{}", addr.port()));
    let uri = format!("socket://127.0.0.1:{}", addr.port());
    run("lpadmin", &["-p", &queue.0, "-E", "-v", &uri, "-m", "raw"]);

    let profile = Profile {
        width: Width::W42,
        qr: QrMode::Raster,
        ..Profile::default()
    };
    let job = render_escpos(&receipt(), &profile);
    let printer = SystemPrinter::new(&queue.0, SystemFormat::Raw);
    let sent = printer.send(&job).await.expect("CUPS takes the job");
    assert!(sent.spool_job.is_some());
    let jobs = handle.wait_for_jobs(1, DELIVERY).await;
    assert_eq!(jobs.len(), 1, "CUPS did not deliver the job within {DELIVERY:?}");
    assert!(
        jobs[0] == job,
        "the raw queue changed the bytes ({} sent, {} received)",
        job.len(),
        jobs[0].len()
    );
    drop(queue);
}

#[cfg(all(feature = "system", not(any(target_os = "ios", target_os = "android"))))]
#[tokio::test]
async fn text_printed_to_pdf_reads_back_word_for_word() {
    use fynlo_print::{SystemFormat, SystemPrinter};

    if !enabled("text_printed_to_pdf_reads_back_word_for_word") {
        return;
    }
    assert!(
        run("lpstat", &["-r"]).contains("scheduler is running"),
        "CUPS is not usable: cupsd is not running"
    );
    run("lpstat", &["-p", "FYNLO_PDF"]);
    // A little earlier, as file times may be coarser than the clock.
    let started = SystemTime::now()
        .checked_sub(Duration::from_secs(2))
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let text = render_text(&receipt(), Width::W42);
    let printer = SystemPrinter::new("FYNLO_PDF", SystemFormat::Text);
    let sent = printer.send(text.as_bytes()).await.expect("CUPS takes the job");
    let id = sent.spool_job.expect("CUPS gives the job an id");

    let pdf = wait_for_pdf(id, started).unwrap_or_else(|| {
        panic!(
            "cups-pdf wrote no PDF for job {id} within {DELIVERY:?} in {:?}",
            pdf_dirs()
        )
    });
    let read = run("pdftotext", &["-layout", &pdf.to_string_lossy(), "-"]);
    let _ = std::fs::remove_file(&pdf);
    println!("pdftotext of job {id}:\n{read}");
    // Every line of the text is in the PDF, word for word, in order (`scripts/cups.sh` has the PDF
    // printer render with cairo, which keeps the text readable to pdftotext).
    let collapse = |line: &str| line.split_whitespace().collect::<Vec<_>>().join(" ");
    let pdf_lines: Vec<String> = read.lines().map(collapse).filter(|l| !l.is_empty()).collect();
    let sent: Vec<String> = text.lines().map(collapse).filter(|l| !l.is_empty()).collect();
    assert!(sent.len() >= 4, "the receipt has lines: {text}");
    let mut at = 0;
    for line in &sent {
        let found = pdf_lines[at..].iter().position(|l| l == line);
        let Some(offset) = found else {
            panic!("{line:?} is not in the PDF (after line {at}):\n{read}\nsent:\n{text}");
        };
        at += offset + 1;
    }
}

#[cfg(not(all(feature = "system", not(any(target_os = "ios", target_os = "android")))))]
#[test]
fn cups_needs_the_system_feature() {
    assert!(
        !std::env::var("FYNLO_CUPS").is_ok_and(|v| v == "1"),
        "FYNLO_CUPS=1 but this build has no system printers (feature `system`)"
    );
}

/// Where cups-pdf may write: its `Out` setting (with `${HOME}` the home of the job's user, which is
/// this test's user), its usual place for root, and its place for anonymous jobs.
fn pdf_dirs() -> Vec<PathBuf> {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let conf = std::fs::read_to_string("/etc/cups/cups-pdf.conf").unwrap_or_default();
    let out = conf
        .lines()
        .find_map(|l| l.strip_prefix("Out").filter(|rest| rest.starts_with([' ', '\t'])))
        .map(|rest| rest.trim().replace("${HOME}", &home));
    out.into_iter()
        .chain(["/root/PDF".to_owned(), "/var/spool/cups-pdf/ANONYMOUS".to_owned()])
        .map(PathBuf::from)
        .collect()
}

/// The PDF of a job (named `…job_<id>.pdf`), once it is complete, or none in time.
fn wait_for_pdf(id: u64, since: SystemTime) -> Option<PathBuf> {
    let deadline = Instant::now() + DELIVERY;
    let suffix = format!("job_{id}.pdf");
    while Instant::now() < deadline {
        for dir in pdf_dirs() {
            if let Some(pdf) = find(&dir, &suffix, since) {
                // cups-pdf has written it when pdftotext can read it.
                let readable = Command::new("pdftotext").arg(&pdf).arg("/dev/null").output();
                if readable.is_ok_and(|o| o.status.success()) {
                    return Some(pdf);
                }
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    None
}

fn find(dir: &Path, suffix: &str, since: SystemTime) -> Option<PathBuf> {
    std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path()).find(|p| {
        p.to_string_lossy().ends_with(suffix)
            && std::fs::metadata(p)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= since)
    })
}
