//! Keeps the documentation and the UI's generated types in step with the Rust boundary types:
//! every command and each of its fields is documented in `docs/commands.md`, every error code is in its
//! table, nothing documented is stale, and `ui/src/lib/bindings.ts` is what `fynlo gen-ts` writes now.

use fynlo_app::{bindings, Command, ErrorCode};
use ts_rs::{Config, TS};

use crate::repo_root;

/// Drops `/** … */` comments.
fn without_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("/**") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("closed comment") + start + 2;
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The field names of the object type `name` declared in the generated module.
fn fields_of(ts: &str, name: &str) -> Vec<String> {
    let decl = ts
        .split("export type ")
        .find(|d| d.starts_with(&format!("{name} =")))
        .unwrap_or_else(|| panic!("bindings.ts declares {name}"));
    let body = without_comments(decl.split_once('=').map(|(_, b)| b).expect("a type alias"));
    body.split([',', '{', ';'])
        .filter_map(|part| {
            let (key, _) = part.split_once(':')?;
            let key = key.trim().trim_end_matches('?');
            (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then(|| key.to_owned())
        })
        .collect()
}

/// Each command of the [`Command`] union with its field names, read from the generated TypeScript: a
/// variant is `{ "cmd": "name" }`, or that joined (`&`) with the type of its request.
fn commands() -> Vec<(String, Vec<String>)> {
    let ts = bindings::typescript();
    let decl = without_comments(&Command::decl(&Config::default()));
    let body = decl.split_once('=').map(|(_, b)| b).expect("a type alias");
    body.trim()
        .trim_end_matches(';')
        .split(" | ")
        .map(|variant| {
            let name = variant
                .split("\"cmd\": \"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .expect("every variant has a cmd tag")
                .to_owned();
            let fields = match variant.split_once(" & ") {
                Some((_, request)) => fields_of(&ts, request.trim()),
                None => Vec::new(),
            };
            (name, fields)
        })
        .collect()
}

fn commands_md() -> String {
    std::fs::read_to_string(repo_root().join("docs/commands.md")).expect("docs/commands.md exists")
}

fn section<'a>(doc: &'a str, name: &str) -> Option<&'a str> {
    let heading = format!("### `{name}`");
    let start = doc.find(&heading)? + heading.len();
    let end = doc[start..].find("\n### ").map_or(doc.len(), |e| start + e);
    Some(&doc[start..end])
}

#[test]
fn every_command_and_field_is_documented() {
    let doc = commands_md();
    let commands = commands();
    assert!(commands.len() >= 20, "parsed only {} commands", commands.len());
    let mut missing = Vec::new();
    for (name, fields) in &commands {
        match section(&doc, name) {
            None => missing.push(format!("command {name}")),
            Some(text) => {
                for field in fields {
                    if !text.contains(&format!("`{field}`")) {
                        missing.push(format!("field {name}.{field}"));
                    }
                }
                if !text.contains("```json") {
                    missing.push(format!("an example for {name}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "docs/commands.md lacks: {missing:#?}");
    // Nothing documented that no longer exists.
    for heading in doc.lines().filter_map(|l| l.strip_prefix("### `")) {
        let name = heading.trim_end_matches('`');
        assert!(
            commands.iter().any(|(c, _)| c == name),
            "docs/commands.md documents unknown command {name}"
        );
    }
}

#[test]
fn every_documented_example_is_a_valid_command() {
    let doc = commands_md();
    let mut seen = 0;
    for block in doc.split("```json\n").skip(1) {
        let block = block.split("```").next().unwrap_or("");
        for line in block.lines().filter(|l| l.starts_with("{\"cmd\"")) {
            serde_json::from_str::<Command>(line).unwrap_or_else(|e| panic!("docs example {line} does not parse: {e}"));
            seen += 1;
        }
    }
    assert!(seen >= 30, "only {seen} examples found");
}

#[test]
fn every_error_code_is_documented() {
    let doc = commands_md();
    let after = doc.split("## Error codes").nth(1).expect("an Error codes section");
    let table = after.split("\n## ").next().unwrap_or(after);
    for code in ErrorCode::ALL {
        assert!(
            table.contains(&format!("| `{}` |", code.as_str())),
            "error code {} is not documented",
            code.as_str()
        );
    }
    let rows = table.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(
        rows,
        ErrorCode::ALL.len(),
        "the error table has codes that do not exist"
    );
}

/// Every type the generated module refers to is declared in it (a type left out of the generator's list
/// would otherwise surface only as an error in the UI's type check).
#[test]
fn generated_typescript_declares_every_type_it_uses() {
    let ts = bindings::typescript();
    // Drop comments and string literals, then every capitalised identifier is a type name.
    let mut code = String::new();
    let mut rest = ts.as_str();
    while let Some(start) = rest.find("/**") {
        code.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("closed comment") + start + 2;
        rest = &rest[end..];
    }
    code.push_str(rest);
    let code: String = code
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut in_string = false;
    let code: String = code
        .chars()
        .filter(|&c| {
            if c == '"' {
                in_string = !in_string;
                return false;
            }
            !in_string
        })
        .collect();
    let declared: Vec<&str> = code
        .split("export type ")
        .skip(1)
        .filter_map(|d| d.split([' ', '=', '<']).next())
        .collect();
    let builtins = ["Array", "Record", "Partial"];
    let mut missing = std::collections::BTreeSet::new();
    for word in code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if word.starts_with(|c: char| c.is_ascii_uppercase()) && !declared.contains(&word) && !builtins.contains(&word)
        {
            missing.insert(word.to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "bindings.ts uses undeclared types: {missing:?} — add them to bindings::typescript"
    );
}

#[test]
fn generated_typescript_is_current() {
    let path = repo_root().join(bindings::BINDINGS_PATH);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == bindings::typescript(),
        "{} is stale: run `cargo run -p fynlo-cli -- gen-ts`",
        path.display()
    );
    let sync = path.with_file_name("sync-bindings.ts");
    let committed = std::fs::read_to_string(&sync).unwrap_or_default();
    assert!(
        committed == fynlo_sync::api::typescript(),
        "{} is stale: run `cargo run -p fynlo-cli -- gen-ts`",
        sync.display()
    );
}
