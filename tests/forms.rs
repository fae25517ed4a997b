//! Every filled form under `fixtures/forms/` extracts to exactly its `.truth.json`, field by field.

mod common;

use common::*;

/// Extract every fixture of the given formats and fail with a field-by-field report on any
/// difference.
fn check_formats(exts: &[&str]) {
    check_folder("forms", exts);
}

fn check_folder(folder: &str, exts: &[&str]) {
    let dir = fixtures().join(folder);
    let files: Vec<_> = files_with_truth(&dir)
        .into_iter()
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| exts.contains(&e)))
        .collect();
    assert!(!files.is_empty(), "no fixtures for {exts:?}");
    let mut report = String::new();
    let (mut fields, mut right) = (0usize, 0usize);
    for file in &files {
        let truth = load_truth(file);
        let got = extract_json(file);
        let total = compared_fields(&truth).len();
        let diffs = differences(&truth, &got);
        let missing = missing_warnings(&truth, &got);
        fields += total;
        right += total.saturating_sub(diffs.len());
        if !diffs.is_empty() || !missing.is_empty() {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            report.push_str(&format!("\n== {name}: {} of {total} fields differ\n", diffs.len()));
            for (k, want, have) in diffs.iter().take(40) {
                report.push_str(&format!("   {k}: expected {want}, got {have}\n"));
            }
            for m in &missing {
                report.push_str(&format!("   missing warning {m}\n"));
            }
        }
    }
    eprintln!("{exts:?}: {right}/{fields} fields right over {} files", files.len());
    assert!(report.is_empty(), "{right}/{fields} fields right{report}");
}


#[test]
fn typed_up_text_forms_match_truth() {
    check_formats(&["txt"]);
}

#[test]
fn word_docx_forms_match_truth() {
    check_formats(&["docx"]);
}

/// Broken returns with a truth file: the partial form reads its three sections exactly; the
/// others fail with every field empty.
#[test]
fn bad_fixtures_match_their_truth_fields_and_status() {
    let dir = fixtures().join("bad");
    let mut report = String::new();
    for file in files_with_truth(&dir) {
        let truth = load_truth(&file);
        let got = extract_json(&file);
        let allowed: Vec<String> = truth["_expected_status"]
            .as_array()
            .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
            .unwrap_or_else(|| vec![truth["status"].as_str().unwrap_or("").to_string()]);
        let status = got["status"].as_str().unwrap_or("").to_string();
        if !allowed.contains(&status) {
            report.push_str(&format!("\n{}: status {status}, expected one of {allowed:?}", file.display()));
        }
        if status == "failed" && got["errors"].as_array().is_none_or(|e| e.is_empty()) {
            report.push_str(&format!("\n{}: failed without a reason", file.display()));
        }
        for (k, want, have) in differences(&truth, &got) {
            if k != "status" && k != "format" {
                report.push_str(&format!("\n{}: {k}: expected {want}, got {have}", file.display()));
            }
        }
    }
    assert!(report.is_empty(), "{report}");
}

#[test]
fn spreadsheet_forms_match_truth() {
    check_formats(&["xlsx", "ods"]);
}

#[test]
fn opendocument_text_forms_match_truth() {
    check_formats(&["odt"]);
}


/// Typed-up copies damaged the way OCR and retyping damage them, and column-aligned layout text.
#[test]
fn noisy_text_forms_match_truth() {
    check_folder("noisy", &["txt"]);
}

/// PDF returns (the form printed from Word): text and marks read through poppler; without it,
/// each fails saying what to install.
#[test]
fn pdf_forms_match_truth() {
    if cpoms_qa::read::pdf::find_on_path("pdftotext").is_some() {
        check_folder("pdf", &["pdf"]);
    } else {
        for file in files_with_truth(&fixtures().join("pdf")) {
            let got = extract_json(&file);
            assert_eq!(got["status"], "failed", "{}", file.display());
            assert!(got["errors"][0].as_str().unwrap_or("").contains("poppler"), "{}", file.display());
        }
    }
}
