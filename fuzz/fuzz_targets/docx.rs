//! `cargo +nightly fuzz run docx fuzz/corpus/docx`: the docx reader and the extractor on arbitrary bytes.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run(data, "docx");
});
