//! `fynlo exec`: JSON commands in, one per line; one JSON result per line out.
//!
//! Output lines are `{"ok": true, "cmd": NAME, "result": REPLY}` or
//! `{"ok": false, "cmd": NAME, "error": {"code": CODE, "message": TEXT}}`. Blank lines and lines starting
//! with `#` are skipped; a line that is not UTF-8 or not a command gets `invalid_input` with its line
//! number, and the script goes on. Each line is written as soon as its command has run. An order's `saved` field says
//! whether its changes are in the database yet (see `fynlo_app::Till` for when orders are saved); every
//! order is saved when the script ends.

use std::io::{BufRead, Write};

use anyhow::Result;
use fynlo_app::{AppError, Command, Till};
use serde_json::json;

/// Runs a script; returns whether every command succeeded. A line that is not UTF-8 or not a command is
/// answered with `invalid_input` (naming its line number) and the script goes on; whatever happens
/// while reading, the orders still being built are saved at the end.
pub async fn run(till: &mut Till, script: impl BufRead, mut out: impl Write, stop_on_error: bool) -> Result<bool> {
    // Even when the output breaks (a closed pipe), the orders being built are saved.
    let ran = run_lines(till, script, &mut out, stop_on_error).await;
    let saved = till.save().await;
    let mut all_ok = ran?;
    if let Err(error) = saved {
        writeln!(out, "{}", json!({ "ok": false, "cmd": "save", "error": error }))?;
        all_ok = false;
    }
    Ok(all_ok)
}

/// Runs each line of a script, writing each answer as soon as it has one.
async fn run_lines(till: &mut Till, script: impl BufRead, out: &mut impl Write, stop_on_error: bool) -> Result<bool> {
    let mut all_ok = true;
    for (index, line) in script.split(b'\n').enumerate() {
        let number = index + 1;
        let (name, outcome) = match line {
            Err(e) => {
                // The input broke off (a read error): say so, and still save what was built.
                all_ok = false;
                let error = AppError::invalid(format!("line {number}: input could not be read: {e}"));
                writeln!(out, "{}", json!({ "ok": false, "cmd": null, "error": error }))?;
                break;
            }
            Ok(bytes) => match String::from_utf8(bytes) {
                Err(_) => (
                    serde_json::Value::Null,
                    Err(AppError::invalid(format!("line {number}: not UTF-8 text"))),
                ),
                Ok(text) => {
                    let text = text.trim();
                    if text.is_empty() || text.starts_with('#') {
                        continue;
                    }
                    match serde_json::from_str::<Command>(text) {
                        Ok(command) => (json!(command.name()), till.execute(command).await),
                        Err(e) => (
                            command_name(text),
                            Err(AppError::invalid(format!("line {number}: {e}"))),
                        ),
                    }
                }
            },
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
    Ok(all_ok)
}

/// The `cmd` of a line that did not parse as a command, if it has one.
fn command_name(text: &str) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("cmd").cloned())
        .unwrap_or(serde_json::Value::Null)
}
