//! Printing across process deaths, with the real binary and loopback TCP printers
//! (`fynlo_print::testing`) that record what they receive:
//! - a till killed (SIGKILL) right after a send's save (the tickets written with it, none printed): `fynlo
//!   print` prints each ticket exactly once, and again prints nothing;
//! - a `fynlo print` killed (SIGKILL) while a ticket is going down the wire: the next one prints it again under
//!   the REPRINT banner, once.

use std::{
    io::{BufRead, BufReader, Write},
    net::SocketAddr,
    process::{Child, Stdio},
    time::{Duration, Instant},
};

use fynlo_print::testing::{Behaviour, LoopbackHandle, LoopbackPrinter};

use crate::{fynlo, DemoTill};

const PRIYA: &str = r#"{"cmd": "login", "pin": "2468", "staff": "priya"}"#;
const SAM: &str = r#"{"cmd": "login", "pin": "1357", "staff": "sam"}"#;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime for the loopback printers")
}

fn start(rt: &tokio::runtime::Runtime, behaviour: Behaviour) -> (SocketAddr, LoopbackHandle) {
    rt.block_on(LoopbackPrinter::start(behaviour))
        .expect("a loopback printer")
}

fn printer(cmd: &str, addr: SocketAddr) -> String {
    format!(
        r#"{{"cmd": "{cmd}", "printer": {{"id": "kitchen", "name": "Kitchen", "transport": {{"type": "tcp", "host": "127.0.0.1", "port": {}}}, "width": 42, "stations": ["kitchen", "bar"], "receipts": false, "auto_print": false}}}}"#,
        addr.port()
    )
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Runs `fynlo exec` with `script` on stdin and stdin left open, waits (bounded) until it has answered
/// `answers` lines, then kills it with SIGKILL.
fn exec_then_kill(till: &DemoTill, script: &str, answers: usize) -> Vec<String> {
    let mut child = till.exec_child();
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(script.as_bytes()).expect("writes the script");
    stdin.flush().expect("flushes");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while lines.len() < answers && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            lines.push(line);
        }
    }
    kill(&mut child);
    drop(stdin);
    assert_eq!(lines.len(), answers, "the till answered {lines:?}");
    lines
}

fn kill(child: &mut Child) {
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
}

#[test]
fn tickets_of_a_killed_till_print_once_after_restart() {
    let rt = runtime();
    let (addr, paper) = start(&rt, Behaviour::Normal);
    let till = DemoTill::create();
    let script = [
        PRIYA,
        &printer("add_printer", addr),
        SAM,
        r#"{"cmd": "open_order", "kind": {"type": "dine_in", "table": "4", "covers": 2}}"#,
        r#"{"cmd": "add_line", "product": "burger"}"#,
        r#"{"cmd": "add_line", "product": "lager", "variant": "pint"}"#,
        r#"{"cmd": "send_to_kitchen"}"#,
        "",
    ]
    .join("\n");
    let lines = exec_then_kill(&till, &script, 7);
    assert!(lines[6].contains(r#""ok":true"#), "the send was saved: {}", lines[6]);
    assert!(paper.jobs().is_empty(), "nothing printed before the kill");
    // The restarted till prints both tickets: kitchen, then bar.
    let out = till.run(&["print", "--wait", "10"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let jobs = rt.block_on(paper.wait_for_jobs(2, Duration::from_secs(10)));
    assert_eq!(jobs.len(), 2);
    assert!(contains(&jobs[0], b"beef") && contains(&jobs[1], b"lager"));
    assert!(jobs.iter().all(|j| !contains(j, b"REPRINT")));
    // And never again.
    let out = till.run(&["print", "--wait", "2"]);
    assert!(out.status.success());
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(paper.jobs().len(), 2);
}

#[test]
fn a_ticket_cut_off_by_a_kill_prints_again_under_the_reprint_banner() {
    let rt = runtime();
    let (slow_addr, slow) = start(&rt, Behaviour::Slow);
    let till = DemoTill::create();
    let script = [
        PRIYA,
        &printer("add_printer", slow_addr),
        SAM,
        r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#,
        r#"{"cmd": "add_line", "product": "burger", "quantity": 3}"#,
        r#"{"cmd": "send_to_kitchen"}"#,
        "",
    ]
    .join("\n");
    let (ok, _) = till.exec(&script);
    assert!(ok);
    // `fynlo print` starts sending to the slow printer; it is killed as soon as the printer has the
    // connection (the job is recorded `sending` before it connects).
    let mut printing = fynlo()
        .arg("--db")
        .arg(&till.db)
        .args(["print", "--wait", "30"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns fynlo print");
    let deadline = Instant::now() + Duration::from_secs(20);
    while slow.connections() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(slow.connections(), 1, "fynlo print reached the printer");
    kill(&mut printing);
    // The kitchen gets a working printer; the next run sends the ticket again, under the banner.
    let (addr, paper) = start(&rt, Behaviour::Normal);
    let (ok, lines) = till.exec(&format!("{PRIYA}\n{}\n", printer("change_printer", addr)));
    assert!(ok, "{lines:?}");
    let out = till.run(&["print", "--wait", "10"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let jobs = rt.block_on(paper.wait_for_jobs(1, Duration::from_secs(10)));
    assert_eq!(jobs.len(), 1);
    assert!(contains(&jobs[0], b"REPRINT") && contains(&jobs[0], b"beef"));
    let out = till.run(&["print", "--wait", "2"]);
    assert!(out.status.success());
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(paper.jobs().len(), 1, "printed once");
}
