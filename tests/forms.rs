//! Every filled form under `fixtures/forms/` extracts to exactly its `.truth.json`, field by field.

mod common;

use common::*;

/// Extract every fixture of the given formats and fail with a field-by-field report on any
/// difference.
fn check_formats(exts: &[&str]) {
    let dir = fixtures().join("forms");
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
