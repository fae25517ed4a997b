//! Shared by the file targets: write the input where a reader can open it and run the whole
//! pipeline. A panic is caught by `process_file` and becomes an "internal error" record, so the
//! target turns that back into a crash for libFuzzer to keep.

use std::path::PathBuf;

pub fn run(data: &[u8], ext: &str) {
    thread_local! {
        static PATH: PathBuf = std::env::temp_dir().join(format!("cpoms-fuzz-{}", std::process::id()));
    }
    PATH.with(|dir| {
        let _ = std::fs::create_dir_all(dir);
        let path = dir.join(format!("input.{ext}"));
        if std::fs::write(&path, data).is_err() {
            return;
        }
        let opts = cpoms_qa::Options::default();
        let record = cpoms_qa::process_file(&path, "fuzz", &opts);
        if let Some(e) = record.errors.iter().find(|e| e.contains("internal error")) {
            panic!("{e}");
        }
    });
}
