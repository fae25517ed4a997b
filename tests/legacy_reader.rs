//! Legacy .doc and .rtf returns, converted by LibreOffice and read as .docx: the .doc forms in
//! `fixtures/forms/`, password-protected and damaged files, a missing or stuck LibreOffice, and
//! the real-world .doc/.rtf files. Conversion tests are skipped (with a message) on a machine
//! without LibreOffice; the CI installs it (`libreoffice-writer-nogui`).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use cpoms_qa::catalogue::QUESTIONS;
use cpoms_qa::model::{Block, Document, Format};
use cpoms_qa::read::{legacy, Deadline, Limits, ReadError};

fn soffice() -> Option<PathBuf> {
    let found = legacy::find_office(None, std::env::var_os("PATH").as_deref());
    if found.is_none() {
        eprintln!("LibreOffice not installed: conversion tests skipped");
    }
    found
}

fn doc_fixtures() -> Vec<PathBuf> {
    let files: Vec<PathBuf> = files_with_truth(&fixtures().join("forms"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "doc"))
        .collect();
    assert!(files.len() >= 7, "expected the .doc fixtures, found {}", files.len());
    files
}

fn real_world(exts: &[&str]) -> Vec<PathBuf> {
    let Some(shared) = shared_fixtures() else { return Vec::new() };
    let mut out = Vec::new();
    let mut stack = vec![shared.join("real-world")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.iter().any(|e| x.eq_ignore_ascii_case(e)))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path, format: Format, limits: &Limits) -> Result<Document, ReadError> {
    let deadline = Deadline::after(limits.max_time);
    legacy::read(path, format, limits, &deadline)
}

/// Run `f` over `items` on a few threads (each conversion is a separate LibreOffice).
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let chunk = items.len().div_ceil(3).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(chunk).map(|c| s.spawn(|| c.iter().map(&f).collect::<Vec<R>>())).collect();
        handles.into_iter().flat_map(|h| h.join().expect("worker thread")).collect()
    })
}

fn cell_texts(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<&[Block]> = vec![&doc.blocks];
    while let Some(bs) = stack.pop() {
        for b in bs {
            if let Block::Table(t) = b {
                for r in &t.rows {
                    for c in &r.cells {
                        out.push(c.text().split_whitespace().collect::<Vec<_>>().join(" "));
                        stack.push(&c.blocks);
                    }
                }
            }
        }
    }
    out
}

#[test]
fn without_libreoffice_the_reason_says_what_to_do() {
    let limits = Limits { soffice: Some(PathBuf::from("/nonexistent/libreoffice/soffice")), ..Limits::default() };
    let doc = &doc_fixtures()[0];
    match read(doc, Format::Doc, &limits) {
        Err(ReadError::NeedsTool(why)) => {
            assert!(why.starts_with("legacy .doc: install LibreOffice (apt install libreoffice-writer-nogui)"), "{why}");
            assert!(why.contains("save as .docx"));
        }
        other => panic!("expected NeedsTool, got {other:?}"),
    }
    let rtf = std::env::temp_dir().join(format!("cpoms-qa-test-{}.rtf", std::process::id()));
    std::fs::write(&rtf, b"{\\rtf1\\ansi hello}").expect("write rtf");
    let got = read(&rtf, Format::Rtf, &limits);
    let _ = std::fs::remove_file(&rtf);
    assert!(matches!(got, Err(ReadError::NeedsTool(ref w)) if w.starts_with("Rich Text (.rtf): install LibreOffice")), "{got:?}");
    // A PATH without soffice or libreoffice on it finds nothing.
    let empty = std::env::temp_dir().join(format!("cpoms-qa-empty-path-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("empty dir");
    assert_eq!(legacy::find_office(None, Some(empty.as_os_str())), None);
    let _ = std::fs::remove_dir(&empty);
}

#[test]
fn password_protected_doc_is_encrypted_without_libreoffice() {
    // Told before any conversion: no LibreOffice is needed to say so.
    let limits = Limits { soffice: Some(PathBuf::from("/nonexistent/soffice")), ..Limits::default() };
    let files: Vec<PathBuf> = real_world(&["doc"])
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().to_ascii_lowercase().contains("password")))
        .collect();
    if shared_fixtures().is_some() {
        assert!(files.len() >= 3, "expected the password-protected .doc files");
    }
    for p in files {
        assert_eq!(read(&p, Format::Doc, &limits).err(), Some(ReadError::Encrypted), "{}", p.display());
    }
}

#[test]
fn doc_forms_convert_and_read() {
    if soffice().is_none() {
        return;
    }
    let files = doc_fixtures();
    let before: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).expect("fixture")).collect();
    let limits = Limits::default();
    let results = in_parallel(&files, |p| (p.clone(), read(p, Format::Doc, &limits)));
    for (p, result) in results {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let doc = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let cells = cell_texts(&doc);
        for q in QUESTIONS {
            assert!(cells.iter().any(|c| c == q.id), "{name}: no cell holds row number {}", q.id);
        }
        // The school's name as the truth gives it is in the converted text.
        let truth = load_truth(&p);
        if let Some(school) = truth["header"]["school"].as_str() {
            let all: String = doc
                .blocks
                .iter()
                .filter_map(|b| match b {
                    Block::Paragraph(p) => Some(p.text()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n");
            assert!(all.contains(school) || cells.iter().any(|c| c.contains(school)), "{name}: school not found");
        }
    }
    // The originals are untouched.
    let after: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).expect("fixture")).collect();
    assert!(before == after, "an input file was modified");
}

/// Through the whole pipeline the record keeps the input's format, not the converted one.
#[test]
fn record_format_stays_doc() {
    if soffice().is_none() {
        return;
    }
    let p = &doc_fixtures()[0];
    let rec = cpoms_qa::process_file(p, "x.doc", &cpoms_qa::Options::default());
    assert_eq!(rec.format, "doc");
    assert_ne!(rec.status.as_str(), "failed", "{:?}", rec.errors);
}

/// A LibreOffice that never finishes is stopped at `convert_time`.
#[cfg(unix)]
#[test]
fn stuck_conversion_is_stopped() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("cpoms-qa-fake-office-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let stuck = dir.join("soffice");
    std::fs::write(&stuck, "#!/bin/sh\nsleep 30 &\nsleep 30\n").expect("script");
    std::fs::set_permissions(&stuck, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let silent = dir.join("silent-soffice");
    std::fs::write(&silent, "#!/bin/sh\nexit 0\n").expect("script");
    std::fs::set_permissions(&silent, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let doc = &doc_fixtures()[0];

    let limits = Limits { soffice: Some(stuck), convert_time: Duration::from_secs(1), ..Limits::default() };
    let started = Instant::now();
    assert_eq!(read(doc, Format::Doc, &limits).err(), Some(ReadError::TooSlow));
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());

    // A LibreOffice that makes nothing: the file could not be opened.
    let limits = Limits { soffice: Some(silent), ..Limits::default() };
    assert!(matches!(read(doc, Format::Doc, &limits), Err(ReadError::Damaged(_))));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn not_a_word_file_is_refused_before_conversion() {
    let limits = Limits { soffice: Some(PathBuf::from("/nonexistent/soffice")), ..Limits::default() };
    let txt = files_with_truth(&fixtures().join("forms"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "txt"))
        .expect("a txt form");
    assert!(matches!(read(&txt, Format::Rtf, &limits), Err(ReadError::NotADocument(_))));
}

#[test]
fn real_world_doc_and_rtf_read_or_fail_cleanly() {
    if soffice().is_none() {
        return;
    }
    let files = real_world(&["doc", "rtf"]);
    let limits = Limits::default();
    let results = in_parallel(&files, |p| {
        let format = if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("rtf")) { Format::Rtf } else { Format::Doc };
        let started = Instant::now();
        let r = std::panic::catch_unwind(|| read(p, format, &limits));
        (p.clone(), r.is_ok(), started.elapsed(), r.map(|r| r.is_ok()).unwrap_or(false))
    });
    let mut read_ok = 0;
    for (p, no_panic, took, ok) in &results {
        assert!(no_panic, "{} panicked", p.display());
        assert!(*took < Duration::from_secs(90), "{} took {took:?}", p.display());
        read_ok += usize::from(*ok);
    }
    if !files.is_empty() {
        assert!(read_ok * 2 > files.len(), "only {read_ok} of {} legacy files read", files.len());
    }
}

/// The .doc forms, converted, extract to their truth files field by field.
#[test]
fn doc_forms_match_truth() {
    if soffice().is_none() {
        return;
    }
    let files = doc_fixtures();
    let results = in_parallel(&files, |p| (p.clone(), load_truth(p), extract_json(p)));
    let mut report = String::new();
    let (mut fields, mut right) = (0usize, 0usize);
    for (file, truth, got) in &results {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let total = compared_fields(truth).len();
        let diffs = differences(truth, got);
        fields += total;
        right += total.saturating_sub(diffs.len());
        let missing = missing_warnings(truth, got);
        if !diffs.is_empty() || !missing.is_empty() {
            report.push_str(&format!("\n== {name}: {} of {total} fields differ\n", diffs.len()));
            for (k, want, have) in diffs.iter().take(40) {
                report.push_str(&format!("   {k}: expected {want}, got {have}\n"));
            }
            for m in &missing {
                report.push_str(&format!("   missing warning {m}\n"));
            }
        }
    }
    eprintln!("doc: {right}/{fields} fields right over {} files", results.len());
    assert!(report.is_empty(), "{right}/{fields} fields right{report}");
}
