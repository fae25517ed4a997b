//! `cargo +nightly fuzz run text fuzz/corpus/text`: the text reader and the extractor on arbitrary bytes.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run(data, "txt");
});
