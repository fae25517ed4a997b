//! Shared test helpers: running the pipeline on fixtures and comparing records with truth files
//! field by field.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The project's fixture folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// `../shared/fixtures`, beside the checkout, when present.
pub fn shared_fixtures() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    p.is_dir().then_some(p)
}

/// Every input file in `dir` that has a `.truth.json` beside it, sorted.
pub fn files_with_truth(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    out.retain(|p| !p.to_string_lossy().ends_with(".truth.json") && truth_path(p).is_file());
    out.sort();
    out
}

pub fn truth_path(p: &Path) -> PathBuf {
    PathBuf::from(format!("{}.truth.json", p.display()))
}

pub fn load_truth(p: &Path) -> Value {
    let text = std::fs::read_to_string(truth_path(p)).expect("truth file readable");
    serde_json::from_str(&text).expect("truth file is JSON")
}

/// Run the library pipeline on one file, as JSON.
pub fn extract_json(p: &Path) -> Value {
    let record = cpoms_qa::process_file(p, &p.to_string_lossy(), &cpoms_qa::Options::default());
    serde_json::to_value(&record).expect("record serialises")
}

/// Flatten a JSON value into (path, value) leaves, skipping keys that start with `_`.
pub fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k.starts_with('_') {
                    continue;
                }
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&path, child, out);
            }
        }
        Value::Array(items) if !items.is_empty() && items.iter().all(|i| i.is_object()) => {
            for (i, child) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), child, out);
            }
        }
        _ => out.push((prefix.to_string(), v.clone())),
    }
}

/// Fields compared by value (everything but `source`, `warnings` and `errors`, which are
/// compared by meaning elsewhere).
pub fn compared_fields(truth: &Value) -> Vec<(String, Value)> {
    let mut leaves = Vec::new();
    flatten("", truth, &mut leaves);
    leaves.retain(|(k, _)| k != "source" && k != "warnings" && k != "errors");
    leaves
}

/// Look up a flattened path ("questions.1.4.answer" style paths use the same keys as flatten).
pub fn lookup(got: &Value, path: &str) -> Value {
    let mut leaves = Vec::new();
    flatten("", got, &mut leaves);
    leaves.into_iter().find(|(k, _)| k == path).map(|(_, v)| v).unwrap_or(Value::String("<missing>".into()))
}

/// Field-by-field differences between a record and its truth: (field, expected, got).
pub fn differences(truth: &Value, got: &Value) -> Vec<(String, Value, Value)> {
    let mut got_leaves = Vec::new();
    flatten("", got, &mut got_leaves);
    let got_map: std::collections::HashMap<_, _> = got_leaves.into_iter().collect();
    let mut diffs = Vec::new();
    for (k, want) in compared_fields(truth) {
        let have = got_map.get(&k).cloned().unwrap_or(Value::String("<missing>".into()));
        if have != want {
            diffs.push((k, want, have));
        }
    }
    // Extra actions the truth does not have.
    let want_n = truth["actions"].as_array().map_or(0, |a| a.len());
    let got_n = got["actions"].as_array().map_or(0, |a| a.len());
    if got_n > want_n {
        diffs.push(("actions (count)".into(), Value::from(want_n), Value::from(got_n)));
    }
    diffs
}

/// Expected warnings (structured `_expected_warnings`) that no warning of the record mentions.
pub fn missing_warnings(truth: &Value, got: &Value) -> Vec<String> {
    let warnings: Vec<String> = got["warnings"]
        .as_array()
        .map(|a| a.iter().filter_map(|w| w.as_str().map(str::to_lowercase)).collect())
        .unwrap_or_default();
    let mut missing = Vec::new();
    for w in truth["_expected_warnings"].as_array().into_iter().flatten() {
        let kind = w["kind"].as_str().unwrap_or("");
        let ok = match kind {
            "both_marked" => {
                let row = w["row"].as_str().unwrap_or("");
                warnings.iter().any(|x| x.starts_with(&format!("row {row}:")) && x.contains("both"))
            }
            "unreadable_mark" => {
                let row = w["row"].as_str().unwrap_or("");
                warnings.iter().any(|x| x.starts_with(&format!("row {row}:")))
            }
            "unreadable_date" => {
                let text = w["text"].as_str().unwrap_or("").to_lowercase();
                warnings.iter().any(|x| x.contains(&text) && x.contains("date"))
            }
            _ => true,
        };
        if !ok {
            missing.push(w.to_string());
        }
    }
    missing
}

/// Every truth record under `fixtures/forms`, as records (the `_` keys ignored), sorted by source.
pub fn truth_records() -> Vec<cpoms_qa::record::Record> {
    let mut out: Vec<cpoms_qa::record::Record> = files_with_truth(&fixtures().join("forms"))
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(truth_path(f)).expect("truth file readable");
            serde_json::from_str(&text).expect("truth file is a record")
        })
        .collect();
    out.sort_by(|a, b| a.source.cmp(&b.source));
    assert!(out.len() >= 50, "the truth fixtures are present");
    out
}
