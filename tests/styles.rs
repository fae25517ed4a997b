//! Every marking habit, layout and producer under `fixtures/styles/` and `fixtures/producers/`
//! extracts to exactly its `.truth.json`, field by field, with the warnings a careful reader
//! gives. `fixtures/styles/STYLES.tsv` and `fixtures/producers/PRODUCERS.tsv` list the styles, so a
//! failure names the style, and a listed fixture that goes missing fails too.
//!
//! The fixtures are written by `scripts/make_style_fixtures.py` and
//! `scripts/make_producer_fixtures.py` (python-docx forms: `scripts/make_pydocx_forms.py`) and committed; these tests only read them.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// (family, style, file) rows of a listing TSV (header line skipped).
fn listing(dir: &Path, name: &str) -> Vec<(String, String, PathBuf)> {
    let text = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            let family = f.next()?.to_string();
            let style = f.next()?.to_string();
            let file = f.next()?.to_string();
            Some((family, style, dir.join(file)))
        })
        .collect()
}

/// True when some warning names `row` ("row 1.4: …", "row 1.8 is not …"), not a longer id
/// ("row 1.40" or "row 1.4.2").
fn names_row(warning: &str, row: &str) -> bool {
    let w = warning.to_lowercase();
    let needle = format!("row {row}");
    let mut from = 0usize;
    while let Some(p) = w[from..].find(&needle) {
        let end = from + p + needle.len();
        let next = w[end..].chars().next();
        if !next.is_some_and(|c| c.is_ascii_digit() || c == '.' && w[end + 1..].starts_with(|d: char| d.is_ascii_digit())) {
            return true;
        }
        from = end;
    }
    false
}

/// Expected warnings (`_expected_warnings`: kind + row) that no warning of the record gives.
fn missing_row_warnings(truth: &Value, got: &Value) -> Vec<String> {
    let warnings: Vec<String> =
        got["warnings"].as_array().map(|a| a.iter().filter_map(|w| w.as_str().map(String::from)).collect()).unwrap_or_default();
    let mut missing = Vec::new();
    for w in truth["_expected_warnings"].as_array().into_iter().flatten() {
        if w["kind"] == "contains" {
            let text = w["text"].as_str().unwrap_or("").to_lowercase();
            if !warnings.iter().any(|x| x.to_lowercase().contains(&text)) {
                missing.push(w.to_string());
            }
            continue;
        }
        let Some(row) = w["row"].as_str() else { continue };
        let kind = w["kind"].as_str().unwrap_or("");
        let ok = warnings.iter().any(|x| {
            names_row(x, row)
                && match kind {
                    "both_marked" => x.to_lowercase().contains("both"),
                    "row_missing" => x.to_lowercase().contains("not found"),
                    _ => true,
                }
        });
        if !ok {
            missing.push(w.to_string());
        }
    }
    missing
}

/// Check every listed fixture of `family` (all families when `None`); report by style.
fn check(dir: &Path, list: &str, family: Option<&str>) {
    let entries: Vec<_> = listing(dir, list).into_iter().filter(|(f, _, _)| family.is_none_or(|x| x == f)).collect();
    assert!(!entries.is_empty(), "no fixtures listed in {} for {family:?}", dir.join(list).display());
    let mut report = String::new();
    let (mut fields, mut right) = (0usize, 0usize);
    for (fam, style, file) in &entries {
        if !file.is_file() || !truth_path(file).is_file() {
            report.push_str(&format!("\n== {fam}/{style}: fixture {} or its truth is missing\n", file.display()));
            continue;
        }
        let truth = load_truth(file);
        let got = extract_json(file);
        let total = compared_fields(&truth).len();
        let diffs = differences(&truth, &got);
        let mut missing = missing_warnings(&truth, &got);
        missing.extend(missing_row_warnings(&truth, &got));
        fields += total;
        right += total.saturating_sub(diffs.len());
        if !diffs.is_empty() || !missing.is_empty() {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            report.push_str(&format!("\n== {fam}/{style} ({name}): {} of {total} fields differ\n", diffs.len()));
            for (k, want, have) in diffs.iter().take(20) {
                report.push_str(&format!("   {k}: expected {want}, got {have}\n"));
            }
            for m in &missing {
                report.push_str(&format!("   missing warning {m}; warnings were {}\n", got["warnings"]));
            }
        }
    }
    eprintln!("{family:?}: {right}/{fields} fields right over {} fixtures", entries.len());
    assert!(report.is_empty(), "{right}/{fields} fields right{report}");
}

fn styles() -> PathBuf {
    fixtures().join("styles")
}

fn producers() -> PathBuf {
    fixtures().join("producers")
}

#[test]
fn yes_no_marking_habits() {
    check(&styles(), "STYLES.tsv", Some("yes_no"));
}

#[test]
fn ratings_and_y_n_fields() {
    check(&styles(), "STYLES.tsv", Some("rating"));
}

#[test]
fn layouts() {
    check(&styles(), "STYLES.tsv", Some("layout"));
}

#[test]
fn word_noise() {
    check(&styles(), "STYLES.tsv", Some("noise"));
}

#[test]
fn ambiguous_marks_are_reported() {
    check(&styles(), "STYLES.tsv", Some("ambiguous"));
}

#[test]
fn every_style_fixture_is_listed() {
    let listed: Vec<PathBuf> = listing(&styles(), "STYLES.tsv").into_iter().map(|(_, _, p)| p).collect();
    let unlisted: Vec<PathBuf> = files_with_truth(&styles()).into_iter().filter(|p| !listed.contains(p)).collect();
    assert!(unlisted.is_empty(), "fixtures not in STYLES.tsv (so never tested): {unlisted:?}");
}

#[test]
fn names_row_is_exact() {
    assert!(names_row("row 1.4: both YES and NO marked", "1.4"));
    assert!(names_row("row 1.8 is not a question of the July 2019 form (extra row)", "1.8"));
    assert!(!names_row("row 1.40: both", "1.4"));
    assert!(!names_row("row 9.10: both", "9.1"));
    assert!(names_row("Row 9.1.", "9.1"));
}

#[test]
fn libreoffice_resaved_returns() {
    check(&producers(), "PRODUCERS.tsv", Some("lo"));
}

#[test]
fn libreoffice_via_odt_returns() {
    check(&producers(), "PRODUCERS.tsv", Some("lo_odt"));
}

#[test]
fn pandoc_resaved_returns() {
    check(&producers(), "PRODUCERS.tsv", Some("pandoc"));
}

#[test]
fn python_docx_returns() {
    check(&producers(), "PRODUCERS.tsv", Some("pydocx"));
}

#[test]
fn every_producer_fixture_is_listed() {
    let listed: Vec<PathBuf> = listing(&producers(), "PRODUCERS.tsv").into_iter().map(|(_, _, p)| p).collect();
    let unlisted: Vec<PathBuf> = files_with_truth(&producers()).into_iter().filter(|p| !listed.contains(p)).collect();
    assert!(unlisted.is_empty(), "fixtures not in PRODUCERS.tsv (so never tested): {unlisted:?}");
}

#[test]
fn libreoffice_odt_returns() {
    check(&producers(), "PRODUCERS.tsv", Some("lo_native_odt"));
}
