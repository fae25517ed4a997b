//! `cargo +nightly fuzz run sheet fuzz/corpus/sheet`: the sheet reader and the extractor on arbitrary bytes.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run(data, "xlsx");
});
