//! `convert` round trip: every fixture's truth record written as .docx and .xlsx by the writers
//! and read back through the whole pipeline gives the same record, field by field (`source`,
//! `format`, `warnings` and `errors` aside). The truth files are used directly, so this tests the
//! writers and the readers/extractor together without depending on how the original was read.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use cpoms_qa::record::Record;
use cpoms_qa::write::{self, Target};

fn truth_records() -> Vec<(String, Record)> {
    let dir = fixtures().join("forms");
    let files = files_with_truth(&dir);
    assert!(files.len() >= 60, "expected the 60 fixture forms, found {}", files.len());
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(truth_path(file)).expect("truth file readable");
            let record: Record = serde_json::from_str(&text).expect("truth file is a record");
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            (name, record)
        })
        .collect()
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cpoms-qa-roundtrip-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Write every truth record as `target`, read it back, and report every field that differs.
fn round_trip(target: Target) {
    let dir = scratch(target.extension());
    let mut report = String::new();
    let (mut fields, mut right) = (0usize, 0usize);
    for (i, (name, record)) in truth_records().into_iter().enumerate() {
        let path = dir.join(format!("{i:03}.{}", target.extension()));
        write::write_record(&record, target, &path).expect("writer succeeds");
        let got = cpoms_qa::process_file(&path, &path.to_string_lossy(), &cpoms_qa::Options::default());
        let got = serde_json::to_value(&got).expect("record serialises");
        let mut want = serde_json::to_value(&record).expect("record serialises");
        want["format"] = serde_json::Value::from(target.extension());
        let total = compared_fields(&want).len();
        let diffs = differences(&want, &got);
        fields += total;
        right += total.saturating_sub(diffs.len());
        if !diffs.is_empty() {
            report.push_str(&format!("\n== {name} as .{}: {} of {total} fields differ\n", target.extension(), diffs.len()));
            for (k, want, have) in diffs.iter().take(15) {
                report.push_str(&format!("   {k}: expected {want}, got {have}\n"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(".{}: {right}/{fields} fields survive the round trip", target.extension());
    assert!(report.is_empty(), "{right}/{fields} fields survive the round trip{report}");
}

#[test]
fn truth_records_survive_docx_round_trip() {
    round_trip(Target::Docx);
}

#[test]
fn truth_records_survive_xlsx_round_trip() {
    round_trip(Target::Xlsx);
}

#[test]
fn json_output_is_the_record_itself() {
    for (name, record) in truth_records() {
        let bytes = write::to_bytes(&record, Target::Json).expect("json");
        let back: Record = serde_json::from_slice(&bytes).expect("json parses as a record");
        assert_eq!(back, record, "{name}");
    }
}

#[test]
fn written_files_are_private() {
    let dir = scratch("mode");
    let (_, record) = truth_records().into_iter().next().expect("a fixture");
    for target in [Target::Docx, Target::Xlsx, Target::Json] {
        let path = dir.join(format!("one.{}", target.extension()));
        write::write_record(&record, target, &path).expect("written");
        assert!(is_private(&path), "{} is not 0600", path.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
fn is_private(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777 == 0o600).unwrap_or(false)
}

#[cfg(not(unix))]
fn is_private(_: &Path) -> bool {
    true
}
