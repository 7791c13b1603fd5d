//! Reading the files a till is given — setup files and menu files — strictly: a key the format does not
//! know is refused, naming the key and where it is, never ignored. A misspelt `"availble": false` would
//! otherwise sell an 86'd dish, and `"alergens"` would empty a dish's allergen list.
//!
//! The domain types stay lenient about unknown keys (a newer till or the cloud may add fields to what
//! they store or sync); the strictness belongs to the edge where people write files.

use std::fmt::Write as _;

use serde::de::DeserializeOwned;

/// Parses `json` as a `T`, refusing any key `T` does not know. `what` names the file in messages.
pub fn parse<T: DeserializeOwned>(json: &str, what: &str) -> Result<T, String> {
    let mut unknown: Vec<String> = Vec::new();
    let mut de = serde_json::Deserializer::from_str(json);
    let value: T = serde_ignored::deserialize(&mut de, |path| unknown.push(path.to_string()))
        .map_err(|e| format!("{what}: {e}"))?;
    de.end().map_err(|e| format!("{what}: {e}"))?;
    if unknown.is_empty() {
        return Ok(value);
    }
    let tree: serde_json::Value = serde_json::from_str(json).unwrap_or(serde_json::Value::Null);
    let found: Vec<String> = unknown.iter().map(|path| describe(&tree, path)).collect();
    Err(format!(
        "{what}: unknown key{} {} (a misspelling? nothing was imported)",
        if found.len() == 1 { "" } else { "s" },
        found.join(", ")
    ))
}

/// `products.3.availble` as `"availble" in products[3] (id "chips")`.
fn describe(tree: &serde_json::Value, path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let Some((key, within)) = parts.split_last() else {
        return path.to_owned();
    };
    let mut at = String::new();
    let mut node = tree;
    for part in within {
        if let Ok(index) = part.parse::<usize>() {
            let _ = write!(at, "[{index}]");
            node = node.get(index).unwrap_or(&serde_json::Value::Null);
        } else {
            if !at.is_empty() {
                at.push('.');
            }
            at.push_str(part);
            node = node.get(*part).unwrap_or(&serde_json::Value::Null);
        }
    }
    let id = node
        .get("id")
        .and_then(|v| v.as_str())
        .map(|id| format!(" (id {id:?})"))
        .unwrap_or_default();
    if at.is_empty() {
        format!("{key:?} at the top")
    } else {
        format!("{key:?} in {at}{id}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Menu {
        products: Vec<Product>,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Product {
        id: String,
        #[serde(default)]
        available: bool,
    }

    #[test]
    fn unknown_keys_are_named_with_where_they_are() {
        let json = r#"{"products": [{"id": "soup"}, {"id": "chips", "availble": false}], "colour": 1}"#;
        let e = parse::<Menu>(json, "menu file").expect_err("refused");
        assert_eq!(
            e,
            "menu file: unknown keys \"availble\" in products[1] (id \"chips\"), \"colour\" at the top \
             (a misspelling? nothing was imported)"
        );
        let fine = parse::<Menu>(r#"{"products": [{"id": "soup", "available": true}]}"#, "menu file").expect("parses");
        assert_eq!(
            (
                fine.products.len(),
                fine.products[0].id.as_str(),
                fine.products[0].available
            ),
            (1, "soup", true)
        );
        assert!(
            parse::<Menu>(r#"{"products": []} x"#, "menu file").is_err(),
            "trailing text"
        );
    }
}
