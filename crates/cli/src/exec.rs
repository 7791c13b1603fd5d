//! `fynlo exec`: JSON commands in, one per line; one JSON result per line out.
//!
//! Output lines are `{"ok": true, "cmd": NAME, "result": REPLY}` or
//! `{"ok": false, "cmd": NAME, "error": {"code": CODE, "message": TEXT}}`. Blank lines and lines starting
//! with `#` are skipped. Each line is written as soon as its command has run. An order's `saved` field says
//! whether its changes are in the database yet (see `fynlo_app::Till` for when orders are saved); every
//! order is saved when the script ends.

use std::io::{BufRead, Write};

use anyhow::Result;
use fynlo_app::{AppError, Command, Till};
use serde_json::json;

/// Runs a script; returns whether every command succeeded.
pub async fn run(till: &mut Till, script: impl BufRead, mut out: impl Write, stop_on_error: bool) -> Result<bool> {
    let mut all_ok = true;
    for (index, line) in script.lines().enumerate() {
        let line = line?;
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let (name, outcome) = match serde_json::from_str::<Command>(text) {
            Ok(command) => (json!(command.name()), till.execute(command).await),
            Err(e) => (
                command_name(text),
                Err(AppError::invalid(format!("line {}: {e}", index + 1))),
            ),
        };
        let record = match outcome {
            Ok(reply) => json!({ "ok": true, "cmd": name, "result": reply }),
            Err(error) => {
                all_ok = false;
                json!({ "ok": false, "cmd": name, "error": error })
            }
        };
        writeln!(out, "{record}")?;
        out.flush()?;
        if !all_ok && stop_on_error {
            break;
        }
    }
    // Orders still being built are saved when the script ends.
    if let Err(error) = till.save().await {
        writeln!(out, "{}", json!({ "ok": false, "cmd": "save", "error": error }))?;
        all_ok = false;
    }
    Ok(all_ok)
}

/// The `cmd` of a line that did not parse as a command, if it has one.
fn command_name(text: &str) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("cmd").cloned())
        .unwrap_or(serde_json::Value::Null)
}
