//! `cpoms-qa check`: what to chase on one return, from a truth record.

use std::path::Path;

use cpoms_qa::check::{check, render_text};
use cpoms_qa::record::Record;

fn truth(name: &str) -> Record {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/forms").join(format!("{name}.truth.json"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn old_mill_return_has_rows_owner_and_signature_to_chase() {
    let record = truth("001_Old_Mill_Primary_School_cpoms_qa.docx");
    let c = check(&record);
    assert!(!c.complete);
    let rows = |kind: &str| -> Vec<String> { c.items.iter().filter(|i| i.kind == kind).filter_map(|i| i.row.clone()).collect() };
    assert_eq!(rows("unanswered"), ["1.2", "2.1", "4", "6.6", "9.7", "9.9"]);
    // Both ratings were given (2 and 4), so none is missing.
    assert!(rows("rating_missing").is_empty());
    // Action 2 ("Record outcomes of all referrals") has no owner.
    assert_eq!(rows("action_no_owner"), ["action 2"]);
    assert!(rows("action_no_timescale").is_empty());
    assert_eq!(rows("signature_missing"), ["signatures.head"]);
    assert!(rows("review_no_date").is_empty());
    assert_eq!(c.items.iter().filter(|i| i.kind == "warning").count(), record.warnings.len());
    let text = render_text(&c);
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("1.2 ") && l.contains("Can you evidence an up to date chronology")),
        "{text}"
    );
    // Comment text never appears, only the form's wording.
    assert!(!text.contains("Body maps attached"));
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["complete"], false);
}

#[test]
fn a_filled_in_record_is_complete() {
    let mut record = truth("001_Old_Mill_Primary_School_cpoms_qa.docx");
    for q in record.questions.values_mut() {
        if q.answer.is_none() && q.rating.is_none() {
            q.answer = Some(cpoms_qa::record::Answer::Yes);
        }
    }
    for a in &mut record.actions {
        a.by_whom.get_or_insert_with(|| "DSL".into());
    }
    record.signatures.head = Some("Head".into());
    record.warnings.clear();
    let c = check(&record);
    assert!(c.complete, "{:?}", c.items);
    assert!(render_text(&c).contains("Complete: nothing to chase."));
}

#[test]
fn missing_file_is_a_usage_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cpoms-qa"))
        .args(["check", "/nonexistent/return.docx"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
