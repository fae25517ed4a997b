//! `cargo +nightly fuzz run dates`: UK date and timescale parsing on arbitrary text.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = cpoms_qa::dates::parse_uk_date(&text);
    let _ = cpoms_qa::dates::parse_iso(&text);
    let base = chrono::NaiveDate::from_ymd_opt(2020, 1, 31);
    let _ = cpoms_qa::dates::record_due(&text, base);
    let _ = cpoms_qa::dates::record_due(&text, None);
});
