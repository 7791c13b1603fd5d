//! Raw TCP printing against the loopback printer, one test per way a printer behaves: what the sender
//! is told (sent, not sent, or uncertain) and what the printer received.

use std::time::{Duration, Instant};

use fynlo_core::document::{Block, Document, DocumentKind, Style};
use fynlo_print::{
    render_escpos,
    testing::{Behaviour, LoopbackHandle, LoopbackPrinter},
    FileSink, NotSentReason, PrintError, Profile, Status, TcpPrinter, Transport,
};

const WAIT: Duration = Duration::from_secs(5);

fn job() -> Vec<u8> {
    let mut doc = Document::new(DocumentKind::Receipt);
    for i in 0..20 {
        doc.push(Block::row(format!("{i}x Fish & chips"), "£15.50", Style::NORMAL));
    }
    render_escpos(&doc, &Profile::default())
}

async fn printer(behaviour: Behaviour) -> (TcpPrinter, LoopbackHandle) {
    let (addr, handle) = LoopbackPrinter::start(behaviour)
        .await
        .expect("the loopback printer starts");
    let mut printer = TcpPrinter::new("127.0.0.1").with_port(addr.port());
    printer.status_timeout = Duration::from_millis(500);
    printer.close_timeout = Duration::from_secs(2);
    (printer, handle)
}

#[tokio::test]
async fn a_normal_printer_receives_the_job_exactly() {
    let (printer, handle) = printer(Behaviour::Normal).await;
    let job = job();
    let sent = printer.send(&job).await.expect("the job is sent");
    assert_eq!(sent.bytes, job.len());
    // The status queries are answered, not recorded: the job is exactly the bytes sent.
    assert_eq!(handle.wait_for_jobs(1, WAIT).await, [job]);
}

#[tokio::test]
async fn without_the_status_query_the_job_is_sent_as_it_is() {
    let (printer, handle) = printer(Behaviour::Normal).await;
    let printer = printer.with_status(false);
    let job = job();
    printer.send(&job).await.expect("the job is sent");
    assert_eq!(handle.wait_for_jobs(1, WAIT).await, [job]);
}

#[tokio::test]
async fn a_slow_printer_still_gets_the_whole_job() {
    let (printer, handle) = printer(Behaviour::Slow).await;
    let job = job();
    let sent = printer.send(&job).await.expect("the job is sent");
    assert_eq!(sent.bytes, job.len());
    assert_eq!(handle.wait_for_jobs(1, WAIT).await, [job]);
}

#[tokio::test]
async fn a_printer_dropping_mid_job_leaves_the_job_uncertain() {
    for size in [1_000, 1_000_000] {
        let (printer, handle) = printer(Behaviour::DropMidJob { after: 100 }).await;
        let job: Vec<u8> = (0..size).map(|i| b'a' + u8::try_from(i % 26).unwrap_or(0)).collect();
        let err = printer.send(&job).await.expect_err("a dropped job is not sent whole");
        assert!(err.maybe_sent(), "{size} bytes: {err}");
        assert!(
            matches!(err, PrintError::Uncertain { written, .. } if written >= 100),
            "{err:?}"
        );
        assert_eq!(handle.wait_for_jobs(1, WAIT).await, [job[..100].to_vec()]);
    }
}

#[tokio::test]
async fn a_printer_that_never_answers_is_not_sent_to() {
    let (printer, handle) = printer(Behaviour::NeverAnswers).await;
    let started = Instant::now();
    let err = printer.send(&job()).await.expect_err("no status, no job");
    assert_eq!(
        err,
        PrintError::NotSent {
            printer: printer.name(),
            reason: NotSentReason::NoStatus
        }
    );
    assert!(!err.maybe_sent());
    assert!(started.elapsed() < Duration::from_secs(2), "the status wait is bounded");
    assert_eq!(handle.connections(), 1);
    assert!(handle.jobs().is_empty());
}

#[tokio::test]
async fn a_printer_out_of_paper_is_not_sent_to() {
    let (printer, handle) = printer(Behaviour::PaperOut).await;
    let err = printer.send(&job()).await.expect_err("no paper, no job");
    assert!(
        matches!(
            &err,
            PrintError::NotSent {
                reason: NotSentReason::PaperOut,
                ..
            }
        ),
        "{err:?}"
    );
    let status = printer.status().await.expect("the status is read");
    assert!(status.paper_out && !status.online);
    assert!(handle.wait_for_jobs(1, Duration::from_millis(300)).await.is_empty());
    assert_eq!(handle.connections(), 2);
}

#[tokio::test]
async fn a_ready_printer_says_so() {
    let (printer, handle) = printer(Behaviour::Normal).await;
    assert_eq!(printer.status().await, Ok(Status::READY));
    assert!(handle.wait_for_jobs(1, Duration::from_millis(200)).await.is_empty());
}

#[tokio::test]
async fn a_printer_that_is_not_there_is_not_sent_to() {
    let (addr, handle) = LoopbackPrinter::start(Behaviour::Normal)
        .await
        .expect("the loopback printer starts");
    drop(handle);
    // The listener is closed once its task has been aborted; give it a moment.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let printer = TcpPrinter::new("127.0.0.1").with_port(addr.port());
    let err = printer.send(&job()).await.expect_err("nothing listens");
    assert!(
        matches!(
            &err,
            PrintError::NotSent {
                reason: NotSentReason::Connect(_),
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_transport_sends_through_its_kind() {
    let (printer, handle) = printer(Behaviour::Normal).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("jobs/out.bin");
    let job = job();
    for transport in [Transport::Tcp(printer), Transport::File(FileSink::new(&path))] {
        assert!(transport.takes_escpos());
        assert_eq!(transport.status().await, Ok(Status::READY));
        let sent = transport.send(&job).await.expect("the job is sent");
        assert_eq!(sent.bytes, job.len());
    }
    assert_eq!(handle.wait_for_jobs(1, WAIT).await, std::slice::from_ref(&job));
    assert_eq!(std::fs::read(&path).expect("the file was written"), job);
}
