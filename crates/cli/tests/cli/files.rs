//! The database file and what lives beside it, driven through the real binary: one writer per file
//! whatever path reaches it, `init --force` refused while a till uses the file and atomic otherwise,
//! paths that are only paths, and `fynlo repair`.

use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Child, ChildStdin, ChildStdout, Stdio},
};

use serde_json::Value;

use crate::{fynlo, DemoTill};

/// A `fynlo exec` left running, holding the database, killed when dropped.
struct RunningTill {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl RunningTill {
    fn start(db: &Path) -> RunningTill {
        let mut child = fynlo()
            .arg("--db")
            .arg(db)
            .arg("exec")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawns fynlo exec");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        RunningTill { child, stdin, stdout }
    }

    /// Sends one command and reads its answer.
    fn send(&mut self, command: &str) -> Value {
        let stdin = self.stdin.as_mut().expect("still running");
        writeln!(stdin, "{command}").expect("writes a command");
        stdin.flush().expect("flushes");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("reads an answer");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("bad answer {line:?}: {e}"))
    }

    /// Ends the script (the till saves and exits) and waits for it.
    fn finish(mut self) -> bool {
        drop(self.stdin.take());
        self.child.wait().expect("exits").success()
    }
}

impl Drop for RunningTill {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn outbox(db: &Path) -> Vec<Value> {
    let out = fynlo()
        .arg("--db")
        .arg(db)
        .args(["outbox", "--limit", "100000"])
        .output()
        .expect("runs fynlo outbox");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON op"))
        .collect()
}

// Regression: `init --demo --force` removed the database a running till was using, and the till went on
// answering `saved: true` into a file that no longer existed.
#[test]
fn init_force_is_refused_while_a_till_uses_the_database() {
    let till = DemoTill::create();
    let mut running = RunningTill::start(&till.db);
    assert_eq!(running.send(r#"{"cmd": "login", "pin": "1357"}"#)["ok"], true);
    let forced = till.run(&["init", "--demo", "--force"]);
    assert!(!forced.status.success(), "init --force must refuse a database in use");
    let said = String::from_utf8_lossy(&forced.stderr);
    assert!(said.contains("in use"), "{said}");
    // The running till's sale lands in the file that is still there.
    running.send(r#"{"cmd": "open_order", "kind": {"type": "takeaway"}}"#);
    running.send(r#"{"cmd": "add_line", "sku": "SF01"}"#);
    let paid = running.send(r#"{"cmd": "take_cash", "tendered": 1000}"#);
    assert_eq!(paid["result"]["state"], "completed", "{paid}");
    let id = paid["result"]["id"].clone();
    assert!(running.finish());
    let saved = outbox(&till.db)
        .into_iter()
        .any(|op| op["op_type"] == "order.saved" && op["payload"]["order_id"] == id);
    assert!(saved, "the sale is in the database");
}

#[test]
fn init_force_replaces_a_database_whole_or_not_at_all() {
    let till = DemoTill::create();
    let (ok, _) = till.exec(
        r#"{"cmd": "login", "pin": "1357"}
{"cmd": "open_order", "kind": {"type": "takeaway"}}
{"cmd": "add_line", "sku": "SF01"}
{"cmd": "pay", "tender": "card"}"#,
    );
    assert!(ok);
    let sim = till.dir.path().join("till.db.sim-provider.json");
    assert!(sim.exists(), "the card payment went to the simulator");
    let before = outbox(&till.db);

    // Killed after building the new database and before moving it into place: the old one is whole.
    let killed = fynlo()
        .arg("--db")
        .arg(&till.db)
        .args(["init", "--demo", "--force"])
        .env("FYNLO_FAILPOINT", "init.before_move")
        .output()
        .expect("runs");
    assert!(!killed.status.success(), "the failpoint aborts init");
    assert_eq!(outbox(&till.db), before, "the old database is as it was");
    assert!(sim.exists());

    // Run to the end, it replaces the database and what lived beside it.
    let forced = till.run(&["init", "--demo", "--force"]);
    assert!(forced.status.success(), "{}", String::from_utf8_lossy(&forced.stderr));
    let after = outbox(&till.db);
    assert!(
        after.iter().all(|op| op["op_type"] != "order.saved"),
        "a new database has no sales"
    );
    assert_ne!(after[0]["device_id"], before[0]["device_id"], "and a new device id");
    assert!(!sim.exists(), "the simulator's records went with the old database");
    for left in ["till.db.new", "till.db.new-wal", "till.db-wal.old"] {
        assert!(!till.dir.path().join(left).exists(), "{left} was left behind");
    }
}

// Regression: the writer's lock was keyed on the path string, so one database opened through a symlink
// (or `./x.db` against `/abs/x.db`) had two writers; both gave out order #1 and the database could no
// longer open.
#[test]
fn one_writer_per_database_whatever_path_reaches_it() {
    let till = DemoTill::create();
    let link = till.dir.path().join("link.db");
    std::os::unix::fs::symlink(&till.db, &link).expect("makes a symlink");
    let mut running = RunningTill::start(&till.db);
    assert_eq!(running.send(r#"{"cmd": "whoami"}"#)["ok"], true);
    for (how, args) in [
        ("through a symlink", vec![link.to_string_lossy().into_owned()]),
        ("relative", vec!["./till.db".to_owned()]),
        (
            "with dots",
            vec!["../".to_owned() + &till.dir.path().file_name().unwrap_or_default().to_string_lossy() + "/till.db"],
        ),
    ] {
        let out = fynlo()
            .current_dir(till.dir.path())
            .arg("--db")
            .args(&args)
            .args(["import-menu", "/dev/null"])
            .output()
            .expect("runs");
        assert!(!out.status.success(), "{how}: a second writer must be refused");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("in use"), "{how}: {said}");
    }
    // Readers are welcome alongside.
    let menu = till.run(&["menu"]);
    assert!(menu.status.success());
    assert!(running.finish());
}

// Found looking for other paths round the lock: a hard link is a second name whose canonical path (and
// so lock, and `SQLite`'s WAL) differs from the first. A file with two names is refused, to write or read.
#[test]
fn a_database_with_a_second_name_is_refused() {
    let till = DemoTill::create();
    let mut running = RunningTill::start(&till.db);
    assert_eq!(running.send(r#"{"cmd": "whoami"}"#)["ok"], true);
    let second = till.dir.path().join("second.db");
    std::fs::hard_link(&till.db, &second).expect("makes a hard link");
    for args in [
        vec!["import-menu", "/dev/null"],
        vec!["orders"],
        vec!["init", "--demo", "--force"],
    ] {
        let out = fynlo().arg("--db").arg(&second).args(&args).output().expect("runs");
        assert!(
            !out.status.success(),
            "{args:?} through the second name must be refused"
        );
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("has 2 names"), "{args:?}: {said}");
    }
    assert!(
        !till.dir.path().join("second.db-wal").exists(),
        "no second WAL was made"
    );
    // The first name is refused too while the second exists, once the running till lets go.
    assert!(running.finish());
    let out = till.run(&["orders"]);
    assert!(!out.status.success(), "the file still has two names");
    std::fs::remove_file(&second).expect("removes the second name");
    assert!(till.run(&["orders"]).status.success(), "one name again: it opens");
}

// Regression: a database path was read as a URL: `--db 'x?mode=memory'` said "Created" and kept nothing,
// and `a%41.db` wrote `aA.db`.
#[test]
fn a_database_path_is_a_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["x?mode=memory", "a%41.db", "hash#1.db", "sp ace.db"] {
        let db = dir.path().join(name);
        let out = fynlo()
            .arg("--db")
            .arg(&db)
            .args(["init", "--demo"])
            .output()
            .expect("runs");
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(db.is_file(), "{name}: the file is where the path says");
        let orders = fynlo().arg("--db").arg(&db).arg("orders").output().expect("runs");
        assert!(orders.status.success(), "{name}: it opens again");
    }
    assert!(!dir.path().join("aA.db").exists());
    assert!(!dir.path().join("x").exists());
}

#[test]
fn repair_leaves_a_healthy_database_as_it_is() {
    let till = DemoTill::create();
    let before = outbox(&till.db);
    let out = till.run(&["repair"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("needs no repair"));
    assert_eq!(outbox(&till.db), before);
    let missing = fynlo()
        .args(["--db", "/nonexistent/till.db", "repair"])
        .output()
        .expect("runs");
    assert!(!missing.status.success());
}
