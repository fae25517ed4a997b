//! The `samples/` folder (README's first command reads it): the committed files are exactly what
//! the generator writes, and each one reads back to the record it was generated from.

mod common;

use common::*;

#[test]
fn committed_samples_are_the_generated_ones() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let samples = cpoms_qa::generate::samples().expect("samples generate");
    assert_eq!(samples.len(), 6);
    for g in &samples {
        let committed = std::fs::read(dir.join(&g.file_name)).expect("sample committed");
        assert!(
            committed == g.bytes,
            "samples/{} differs from the generator: run `cargo run -- generate --samples -o samples`",
            g.file_name
        );
    }
}

#[test]
fn samples_read_back_to_their_records() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut report = String::new();
    for g in cpoms_qa::generate::samples().expect("samples generate") {
        let path = dir.join(&g.file_name);
        let want = serde_json::to_value(&g.truth).expect("record serialises");
        let got = extract_json(&path);
        let diffs = differences(&want, &got);
        if !diffs.is_empty() {
            report.push_str(&format!("\n== {}: {} fields differ\n", g.file_name, diffs.len()));
            for (k, want, have) in diffs.iter().take(15) {
                report.push_str(&format!("   {k}: expected {want}, got {have}\n"));
            }
        }
    }
    assert!(report.is_empty(), "{report}");
}
