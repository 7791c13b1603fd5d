//! End-to-end tests of the `fynlo` binary against real `SQLite` files, plus the checks that keep the
//! generated TypeScript types and `docs/commands.md` in step with the Rust boundary types.

#![allow(
    clippy::needless_pass_by_value,
    reason = "test helpers take commands and handles by value so each call reads as the command itself"
)]
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "the numbers a test casts are small ones it picked itself; a wrap would be a test bug"
)]

mod audit;
mod cards;
mod crash;
mod docs;
mod exec;
mod files;
mod print;
mod sync;

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

use serde_json::Value;

/// A number from the environment (`FYNLO_CRASH_KILLS`…), or `default`.
pub fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The seed of a randomised test: `FYNLO_CRASH_SEED` to replay a run, else a new one.
pub fn crash_seed() -> u64 {
    env_number("FYNLO_CRASH_SEED", fastrand::u64(..))
}

/// The binary under test.
pub fn fynlo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fynlo"))
}

/// Runs `command` with `input` on its stdin (secrets and PINs are never arguments), and waits for it.
pub fn with_stdin(mut command: Command, input: &str) -> Output {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns fynlo");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("writes stdin");
    child.wait_with_output().expect("ends")
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A temporary folder with a demo till database in it.
pub struct DemoTill {
    /// Keeps the folder alive.
    pub dir: tempfile::TempDir,
    /// The database file.
    pub db: PathBuf,
}

impl DemoTill {
    /// Runs `fynlo init --demo` in a new temporary folder.
    pub fn create() -> DemoTill {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("till.db");
        let out = fynlo()
            .arg("--db")
            .arg(&db)
            .args(["init", "--demo"])
            .output()
            .expect("runs fynlo");
        assert!(
            out.status.success(),
            "init failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        DemoTill { dir, db }
    }

    /// Runs `fynlo` with arguments against this database.
    pub fn run(&self, args: &[&str]) -> Output {
        fynlo()
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .output()
            .expect("runs fynlo")
    }

    /// Starts `fynlo exec` on this database with stdin and stdout piped and stderr dropped, for a test
    /// that feeds it, reads it and may kill it.
    pub fn exec_child(&self) -> std::process::Child {
        fynlo()
            .arg("--db")
            .arg(&self.db)
            .arg("exec")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawns fynlo exec")
    }

    /// Runs an exec script given on stdin; returns the exit status and the parsed output lines.
    pub fn exec(&self, script: &str) -> (bool, Vec<Value>) {
        let mut child = fynlo()
            .arg("--db")
            .arg(&self.db)
            .arg("exec")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawns fynlo exec");
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(script.as_bytes())
            .expect("writes script");
        let out = child.wait_with_output().expect("exec finishes");
        let lines = String::from_utf8(out.stdout)
            .expect("utf-8 output")
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad output line {l:?}: {e}")))
            .collect();
        (out.status.success(), lines)
    }
}
