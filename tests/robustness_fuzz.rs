//! Mutation fuzzing that runs in CI (issue 6, item 7): the fixture forms, mutated at random both
//! as raw bytes and inside their zip packages (the XML the readers parse), go through the whole
//! pipeline; no input may crash a reader (a reason with `cpoms_qa::UNEXPECTED`) or escape its time limit. Date and
//! timescale parsing gets random strings. Deterministic: a fixed seed per case, so a failure
//! names the case and repeats.
//!
//! `CPOMS_FUZZ_CASES=N` runs N cases per seed file instead of the CI default, for long runs.
//! A crashing input is written to `target/fuzz-crashes/`; keep it under `fixtures/regressions/`,
//! where `every_regression_input_is_read_without_a_crash` reads it on every run.

mod common;

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cpoms_qa::Options;

/// xorshift64*: small, deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Fragments that readers treat specially: nesting, marks, entities, huge numbers.
const XML_SNIPPETS: &[&str] = &[
    "<w:tbl>", "</w:tbl>", "<w:tr>", "</w:tr>", "<w:tc>", "</w:tc>", "<w:p>", "</w:p>", "<w:r>", "<w:t>",
    "<w:gridSpan w:val=\"99999999\"/>", "<w:vMerge w:val=\"restart\"/>", "<w:vMerge/>", "<w:sym w:char=\"F0FE\" w:font=\"Wingdings\"/>",
    "<w14:checkbox><w14:checked w14:val=\"1\"/></w14:checkbox>", "<w:fldChar w:fldCharType=\"begin\"/>", "<w:ins>", "<w:del>",
    "<w:highlight w:val=\"yellow\"/>", "<w:shd w:fill=\"FFFF00\"/>", "&amp;", "&#0;", "&#xFFFFFFFF;", "&unknown;",
    "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>", "<c r=\"XFD1048576\"><v>1</v></c>", "<row r=\"4294967295\">", "<c r=\"A0\">",
    "<si><t>x</t></si>", "<v>1e308</v>", "<v>-1</v>", "<table:table-cell table:number-columns-repeated=\"1073741823\"/>",
    "<table:table-row table:number-rows-repeated=\"1048576\">", "<text:p>", "</text:p>", "\u{0}", "\u{FFFF}", "é", "✓",
    "1.4", "9.10", "YES", "NO", "X", "31/02/2020", "99/99/9999",
];

fn mutate_bytes(rng: &mut Rng, data: &mut Vec<u8>, snippets: &[&str]) {
    for _ in 0..=rng.below(4) {
        let len = data.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next() as u8;
            }
            1 if len > 0 => data.truncate(rng.below(len)),
            2 => {
                let at = rng.below(len + 1);
                let snippet = rng.pick(snippets).as_bytes().to_vec();
                data.splice(at..at, snippet);
            }
            3 if len > 1 => {
                // Duplicate a range: repeated open tags make deep nesting.
                let a = rng.below(len);
                let b = (a + 1 + rng.below(256)).min(len);
                let chunk = data[a..b].to_vec();
                for _ in 0..=rng.below(64) {
                    data.splice(a..a, chunk.iter().copied());
                }
            }
            4 if len > 1 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(512)).min(len);
                data.drain(a..b);
            }
            5 if len > 0 => {
                // Make a number huge or negative.
                let i = rng.below(len);
                if let Some(p) = data[i..].iter().position(|b| b.is_ascii_digit()) {
                    let at = i + p;
                    let big: &[u8] = if rng.below(2) == 0 { b"4294967296" } else { b"-1" };
                    data.splice(at..at + 1, big.iter().copied());
                }
            }
            _ => {
                let at = rng.below(len + 1);
                let junk: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
                data.splice(at..at, junk);
            }
        }
    }
}

/// Rewrite a zip package with one of its XML parts mutated (a valid zip, hostile content).
fn mutate_inside_zip(rng: &mut Rng, package: &[u8]) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(package)).ok()?;
    let mut parts = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).ok()?;
        let mut data = Vec::new();
        f.read_to_end(&mut data).ok()?;
        parts.push((String::from_utf8_lossy(f.name_raw()).into_owned(), data));
    }
    let xml: Vec<usize> = parts.iter().enumerate().filter(|(_, (n, _))| n.ends_with(".xml") || n.ends_with(".rels")).map(|(i, _)| i).collect();
    // Prefer the main parts the readers spend their time in.
    let main: Vec<usize> = xml
        .iter()
        .copied()
        .filter(|&i| ["document.xml", "sheet1.xml", "sharedStrings.xml", "content.xml"].iter().any(|m| parts[i].0.ends_with(m)))
        .collect();
    let target = if !main.is_empty() && rng.below(4) != 0 { *rng.pick(&main) } else { *rng.pick(&xml) };
    mutate_bytes(rng, &mut parts[target].1, XML_SNIPPETS);
    if rng.below(8) == 0 {
        // Drop a part now and then (missing styles, rels, shared strings).
        let drop = rng.below(parts.len());
        parts.remove(drop);
    }
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        for (name, data) in &parts {
            let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            w.start_file(name.as_str(), opts).ok()?;
            w.write_all(data).ok()?;
        }
        w.finish().ok()?;
    }
    Some(out.into_inner())
}

/// One fixture of each format (and the blank forms), the seeds of the corpus.
fn seeds() -> Vec<PathBuf> {
    let dir = common::fixtures().join("forms");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    let mut seeds = Vec::new();
    for ext in ["docx", "xlsx", "odt", "ods", "txt", "doc"] {
        // One .doc: each goes through LibreOffice, seconds a case.
        let n = if ext == "doc" { 1 } else { 2 };
        seeds.extend(files.iter().filter(|p| p.extension().is_some_and(|e| e == ext)).take(n).cloned());
    }
    let blank = common::fixtures().join("blank");
    if let Ok(rd) = std::fs::read_dir(blank) {
        let mut b: Vec<PathBuf> = rd.flatten().map(|e| e.path()).filter(|p| !p.to_string_lossy().ends_with(".json")).collect();
        b.sort();
        seeds.extend(b);
    }
    seeds
}

fn cases_per_seed() -> usize {
    std::env::var("CPOMS_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(8)
}

#[test]
fn mutated_forms_never_crash_a_reader() {
    let scratch = std::env::temp_dir().join(format!("cpoms-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let crashes = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-crashes");
    let opts = Options::default();
    let (mut runs, mut failures) = (0usize, Vec::new());
    let mut slowest = (Duration::ZERO, String::new());
    let start = Instant::now();
    for (s, seed) in seeds().iter().enumerate() {
        let original = std::fs::read(seed).unwrap();
        let ext = seed.extension().and_then(|e| e.to_str()).unwrap_or("bin").to_string();
        for case in 0..cases_per_seed() {
            let mut rng = Rng::new((s as u64) << 32 | case as u64);
            let zipped = original.starts_with(b"PK\x03\x04");
            let input = if zipped && rng.below(5) != 0 {
                match mutate_inside_zip(&mut rng, &original) {
                    Some(bytes) => bytes,
                    None => continue,
                }
            } else {
                let mut bytes = original.clone();
                let snippets: &[&str] = if ext == "txt" { &["\t", "\r\n", "YES", "1.4\t", "\u{FEFF}", "\0"] } else { XML_SNIPPETS };
                mutate_bytes(&mut rng, &mut bytes, snippets);
                bytes
            };
            let path = scratch.join(format!("case-{s}-{case}.{ext}"));
            std::fs::write(&path, &input).unwrap();
            let t = Instant::now();
            let record = cpoms_qa::process_file(&path, &path.to_string_lossy(), &opts);
            let took = t.elapsed();
            runs += 1;
            if took > slowest.0 {
                slowest = (took, format!("seed {} case {case}", seed.display()));
            }
            let crashed = record.errors.iter().find(|e| e.contains(cpoms_qa::UNEXPECTED));
            let too_slow = took > opts.limits.max_time + Duration::from_secs(5);
            if crashed.is_some() || too_slow {
                std::fs::create_dir_all(&crashes).unwrap();
                let keep = crashes.join(format!("crash-{s}-{case}.{ext}"));
                std::fs::write(&keep, &input).unwrap();
                failures.push(format!("{} ({took:?}): {:?}", keep.display(), record.errors));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    eprintln!("fuzz: {runs} mutated inputs in {:.1?}; slowest {:.2?} ({})", start.elapsed(), slowest.0, slowest.1);
    assert!(runs > 0);
    assert!(failures.is_empty(), "{} input(s) crashed or hung a reader:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_regression_input_is_read_without_a_crash() {
    let dir = common::fixtures().join("regressions");
    let Ok(rd) = std::fs::read_dir(&dir) else { return };
    let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    files.sort();
    for file in &files {
        if file.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let t = Instant::now();
        let record = cpoms_qa::process_file(file, &file.to_string_lossy(), &Options::default());
        assert!(!record.errors.iter().any(|e| e.contains(cpoms_qa::UNEXPECTED)), "{}: {:?}", file.display(), record.errors);
        assert!(t.elapsed() < Duration::from_secs(25), "{}: took {:?}", file.display(), t.elapsed());
    }
}

#[test]
fn date_and_timescale_parsing_never_panics() {
    const PIECES: &[&str] = &[
        "1", "3", "12", "31", "29", "0", "00", "2020", "20", "99999999999999999999", "-", "/", ".", " ", "  ", "\t",
        "th", "st", "of", "Jan", "february", "Sept", "Dec.", "Monday", "week", "weeks", "day", "days", "month",
        "months", "year", "term", "half term", "summer", "end of", "by", "within", "ASAP", "immediately", "ongoing",
        "next", "working", "fortnight", "é", "✓", "\u{0}", "٣", "１", "2147483647", "18446744073709551615",
    ];
    let mut rng = Rng::new(7);
    let base = chrono::NaiveDate::from_ymd_opt(2020, 1, 31);
    let cases = cases_per_seed() * 500;
    for _ in 0..cases {
        let text: String = (0..=rng.below(8)).map(|_| *rng.pick(PIECES)).collect();
        let _ = cpoms_qa::dates::parse_uk_date(&text);
        let _ = cpoms_qa::dates::parse_iso(&text);
        let _ = cpoms_qa::dates::record_due(&text, base);
        let _ = cpoms_qa::dates::record_due(&text, None);
        if let Some(b) = base {
            let n = match rng.below(3) {
                0 => rng.below(100) as u64,
                1 => u64::MAX - rng.below(3) as u64,
                _ => rng.next(),
            };
            let unit = *rng.pick(&["day", "days", "week", "weeks", "month", "months", "year", "term", ""]);
            let _ = cpoms_qa::dates::add_span(b, n, unit);
        }
    }
}

#[test]
fn sniffing_mutated_containers_never_panics() {
    // OLE compound files (.doc, encrypted packages) and zips, mutated in their headers and
    // directories: the container parsers behind sniffing must answer, not panic.
    let mut originals: Vec<(Vec<u8>, String)> = Vec::new();
    for dir in ["forms", "bad", "blank"] {
        let Ok(rd) = std::fs::read_dir(common::fixtures().join(dir)) else { continue };
        let mut paths: Vec<PathBuf> = rd.flatten().map(|e| e.path()).filter(|p| !p.to_string_lossy().ends_with(".json")).collect();
        paths.sort();
        for p in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "doc" || e == "docx" || e == "xlsx" || e == "ods")).take(6) {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("").to_string();
            originals.push((std::fs::read(p).unwrap(), ext));
        }
    }
    let mut rng = Rng::new(99);
    let cases = cases_per_seed() * 250;
    for case in 0..cases {
        let (original, ext) = rng.pick(&originals);
        let mut data = original.clone();
        // Mostly hit the first sectors (header, FAT, directory) or the zip's end records.
        for _ in 0..=rng.below(8) {
            let len = data.len();
            if len == 0 {
                break;
            }
            let i = if rng.below(2) == 0 { rng.below(len.min(4096)) } else { len - 1 - rng.below(len.min(512)) };
            data[i] = match rng.below(4) {
                0 => 0xFF,
                1 => 0,
                _ => rng.next() as u8,
            };
        }
        let got = std::panic::catch_unwind(|| cpoms_qa::read::sniff::sniff_bytes(&data, ext));
        if got.is_err() {
            let crashes = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-crashes");
            std::fs::create_dir_all(&crashes).unwrap();
            let keep = crashes.join(format!("sniff-{case}.{ext}"));
            std::fs::write(&keep, &data).unwrap();
            panic!("sniffing panicked on {}", keep.display());
        }
    }
}
