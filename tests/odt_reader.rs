//! The OpenDocument text reader on the .odt returns in `fixtures/forms/` (Word forms saved by
//! LibreOffice) and on the real-world .odt files: structure, marks and robustness.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use cpoms_qa::catalogue::{FORM_VERSION, QUESTIONS};
use cpoms_qa::model::{Block, Cell, Document, Row, Run, RunKind};
use cpoms_qa::read::{odt, Deadline, Limits, ReadError};
use serde_json::Value;

fn odt_fixtures() -> Vec<PathBuf> {
    let files: Vec<PathBuf> = files_with_truth(&fixtures().join("forms"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "odt"))
        .collect();
    assert!(files.len() >= 6, "expected the six .odt fixtures, found {}", files.len());
    files
}

fn fixture(prefix: &str) -> PathBuf {
    odt_fixtures()
        .into_iter()
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix)))
        .unwrap_or_else(|| panic!("no .odt fixture starting {prefix}"))
}

fn read(path: &Path) -> Document {
    let limits = Limits::default();
    let deadline = Deadline::after(Duration::from_secs(30));
    odt::read(path, &limits, &deadline).unwrap_or_else(|e| panic!("{} did not read: {e}", path.display()))
}

/// Every table row in the document, nested tables included.
fn rows(blocks: &[Block]) -> Vec<&Row> {
    let mut out = Vec::new();
    let mut stack: Vec<&[Block]> = vec![blocks];
    while let Some(bs) = stack.pop() {
        for b in bs {
            if let Block::Table(t) = b {
                for r in &t.rows {
                    out.push(r);
                    for c in &r.cells {
                        stack.push(&c.blocks);
                    }
                }
            }
        }
    }
    out
}

fn all_text(blocks: &[Block]) -> String {
    let cell = Cell { blocks: blocks.to_vec(), ..Cell::default() };
    cell.text()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The form's row `id`: the row whose first cell is the number, as [number, question, YES, NO,
/// comments].
fn question_row<'a>(doc: &'a Document, id: &str) -> &'a Row {
    rows(&doc.blocks)
        .into_iter()
        .find(|r| r.cells.len() == 5 && r.cells.first().is_some_and(|c| c.text().trim() == id))
        .unwrap_or_else(|| panic!("row {id} not found"))
}

fn checkbox(cell: &Cell) -> Option<bool> {
    cell.runs().iter().find_map(|r| match r.kind {
        RunKind::Checkbox { checked } => Some(checked),
        _ => None,
    })
}

fn symbols(cell: &Cell) -> String {
    cell.runs().iter().filter(|r| r.kind == RunKind::Symbol).map(|r| r.text.as_str()).collect()
}

fn answer(truth: &Value, id: &str) -> Option<String> {
    truth["questions"][id]["answer"].as_str().map(str::to_string)
}

#[test]
fn every_odt_form_has_the_42_rows_and_the_edition() {
    for path in odt_fixtures() {
        let doc = read(&path);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let cells: Vec<String> = rows(&doc.blocks)
            .iter()
            .flat_map(|r| r.cells.iter().map(|c| squash(&c.text())))
            .collect();
        for q in QUESTIONS {
            assert!(cells.iter().any(|c| c == q.id), "{name}: no cell holds row number {}", q.id);
            // The start of the wording (rows like 1.5 carry "Show examples" in a merged row below).
            let head: String = q.wording.chars().take(40).collect();
            assert!(
                cells.iter().any(|c| c.starts_with(&squash(&head))),
                "{name}: wording of row {} not found",
                q.id
            );
        }
        let edition = all_text(&doc.furniture).contains(FORM_VERSION) || all_text(&doc.blocks).contains(FORM_VERSION);
        assert!(edition, "{name}: edition {FORM_VERSION} not found");
    }
}

/// The page footer (styles.xml) is furniture; 017 has no page footer, its edition is typed in
/// the body.
#[test]
fn footer_edition_is_furniture() {
    let doc = read(&fixture("006"));
    assert_eq!(all_text(&doc.furniture), FORM_VERSION);
    let doc = read(&fixture("017"));
    assert!(doc.furniture.is_empty());
    assert!(all_text(&doc.blocks).contains(FORM_VERSION));
}

/// Word legacy checkboxes (ODF fieldmarks) and checkbox content controls: the checked box is the
/// answer the truth file gives, row by row.
#[test]
fn checkboxes_match_truth_answers() {
    for prefix in ["017", "027", "040"] {
        let path = fixture(prefix);
        let truth = load_truth(&path);
        let doc = read(&path);
        let mut answered = 0;
        for q in QUESTIONS.iter().filter(|q| q.id != "3.3" && q.id != "4.2") {
            let row = question_row(&doc, q.id);
            let (yes, no) = (checkbox(&row.cells[2]), checkbox(&row.cells[3]));
            assert!(yes.is_some() && no.is_some(), "{prefix} row {}: YES/NO checkboxes missing", q.id);
            let want = answer(&truth, q.id);
            let got = match (yes, no) {
                (Some(true), Some(true)) => Some("both"),
                (Some(true), _) => Some("yes"),
                (_, Some(true)) => Some("no"),
                _ => None,
            };
            assert_eq!(got.map(str::to_string), want, "{prefix} row {}", q.id);
            answered += usize::from(got.is_some());
        }
        assert!(answered > 20, "{prefix}: only {answered} rows answered");
    }
}

#[test]
fn content_control_checkbox_glyph_is_read_once() {
    let doc = read(&fixture("027"));
    let row = question_row(&doc, "1");
    let no: Vec<&Run> = row.cells[3].runs();
    assert_eq!(no.len(), 1, "the control's shown glyph must not be read as text as well");
    assert_eq!(no[0].text, "☒");
    assert_eq!(no[0].kind, RunKind::Checkbox { checked: true });
}

/// 015 marks YES/NO with Wingdings ticks: U+F0FC (✓), U+F0FE (box with tick) and a plain "ü" in a
/// Wingdings font all become symbol runs in the cell the truth file says.
#[test]
fn wingdings_ticks_become_symbols() {
    let path = fixture("015");
    let truth = load_truth(&path);
    let doc = read(&path);
    for q in QUESTIONS.iter().filter(|q| q.id != "3.3" && q.id != "4.2") {
        let row = question_row(&doc, q.id);
        let (yes, no) = (symbols(&row.cells[2]), symbols(&row.cells[3]));
        let got = match (yes.is_empty(), no.is_empty()) {
            (false, false) => Some("both"),
            (false, true) => Some("yes"),
            (true, false) => Some("no"),
            (true, true) => None,
        };
        assert_eq!(got.map(str::to_string), answer(&truth, q.id), "row {}", q.id);
    }
    // U+F0FE is Wingdings' box with a tick, as the .docx reader gives it.
    assert_eq!(symbols(&question_row(&doc, "1.3").cells[3]), "☑");
    assert_eq!(symbols(&question_row(&doc, "1.5").cells[2]), "✓");
    let text = all_text(&doc.blocks);
    assert!(!text.contains('\u{F0FC}') && !text.contains('ü'), "raw Wingdings characters left in the text");
}

/// 006 marks answers by shading the cell and has the 1.5 row merged over two table rows.
#[test]
fn cell_shading_and_merged_rows() {
    let path = fixture("006");
    let truth = load_truth(&path);
    let doc = read(&path);
    for q in QUESTIONS.iter().filter(|q| q.id != "3.3" && q.id != "4.2") {
        let row = question_row(&doc, q.id);
        let (yes, no) = (row.cells[2].shading.as_deref(), row.cells[3].shading.as_deref());
        let got = match (yes, no) {
            (Some(_), Some(_)) => Some("both"),
            (Some(_), None) => Some("yes"),
            (None, Some(_)) => Some("no"),
            (None, None) => None,
        };
        // Typed marks ("x") also answer rows here; shading must never contradict the truth.
        if let Some(g) = got {
            assert_eq!(Some(g.to_string()), answer(&truth, q.id), "row {}", q.id);
            assert_eq!(yes.or(no), Some("92D050"));
        }
    }
    // Row 1.5 spans two table rows: the second holds "Show examples" and merged cells.
    let all = rows(&doc.blocks);
    let i = all.iter().position(|r| r.cells.first().is_some_and(|c| c.text() == "1.5")).expect("row 1.5");
    let next = all[i + 1];
    assert_eq!(next.cells.len(), 5, "the merged row lines up with the grid");
    assert!(next.cells[0].merged_above && next.cells[2].merged_above && next.cells[3].merged_above);
    assert_eq!(next.cells[1].text(), "Show examples");
    // Section headings span the number and question columns once, like Word's gridSpan.
    let heading = all.iter().find(|r| r.cells.first().is_some_and(|c| c.text() == "BASIC INFORMATION")).expect("heading");
    assert_eq!(heading.cells[0].span, 2);
    assert_eq!(heading.cells.len(), 4);
}

/// Ratings 3.3 and 4.2 marked by bold (006) or highlight (017, 044): the marked number is the
/// truth's rating.
#[test]
fn rating_marks_are_formatting() {
    for prefix in ["006", "017", "044"] {
        let path = fixture(prefix);
        let truth = load_truth(&path);
        let doc = read(&path);
        for id in ["3.3", "4.2"] {
            let Some(want) = truth["questions"][id]["rating"].as_u64() else { continue };
            let row = question_row(&doc, id);
            let marked: Vec<String> = row.cells[1]
                .runs()
                .iter()
                .filter(|r| r.format.is_marked() && r.text.trim().parse::<u64>().is_ok())
                .map(|r| r.text.trim().to_string())
                .collect();
            assert_eq!(marked, vec![want.to_string()], "{prefix} row {id}");
        }
    }
}

/// 017 was edited with tracks changes on: deleted text is not read, inserted text is.
#[test]
fn tracked_changes_read_as_accepted() {
    let doc = read(&fixture("017"));
    let text = all_text(&doc.blocks);
    assert!(!text.contains("Awaiting evidence."), "deleted text was read");
    assert!(!text.contains("_____________________Safeguarding"), "deleted underscores were read");
    assert!(text.contains("Safeguarding Consultant, Lanternfield Education Services"));
}

#[test]
fn answers_in_colour_and_runs_merge() {
    let doc = read(&fixture("015"));
    let p = doc
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Paragraph(p) if p.text().starts_with("Name of school:") => Some(p),
            _ => None,
        })
        .expect("school line");
    let answer = p.runs.last().expect("runs");
    assert_eq!(answer.format.colour.as_deref(), Some("0070C0"));
    assert_eq!(answer.text, load_truth(&fixture("015"))["header"]["school"].as_str().expect("school"));
}

#[test]
fn real_world_odt_read_or_fail_cleanly() {
    let Some(shared) = shared_fixtures() else { return };
    let mut files = Vec::new();
    let mut stack = vec![shared.join("real-world")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("odt")) {
                files.push(p);
            }
        }
    }
    let limits = Limits::default();
    for p in &files {
        let deadline = Deadline::after(Duration::from_secs(20));
        let started = std::time::Instant::now();
        let result = std::panic::catch_unwind(|| odt::read(p, &limits, &deadline));
        assert!(result.is_ok(), "{} panicked", p.display());
        assert!(started.elapsed() < Duration::from_secs(5), "{} took {:?}", p.display(), started.elapsed());
    }
    // The pandoc test file with merged cells: a 3-column grid whatever the spans.
    if let Some(p) = files.iter().find(|p| p.ends_with("tableWithSpans.odt")) {
        let doc = read(p);
        for r in rows(&doc.blocks) {
            let width: u32 = r.cells.iter().map(|c| c.span).sum();
            assert_eq!(width, 3, "row does not fill the grid");
        }
    }
}

#[test]
fn not_an_odt_fails_cleanly() {
    let limits = Limits::default();
    let deadline = Deadline::after(Duration::from_secs(10));
    let docx = fixtures().join("blank").read_dir().expect("blank dir").flatten().map(|e| e.path()).find(|p| p.extension().is_some_and(|e| e == "docx")).expect("a blank docx");
    assert!(matches!(odt::read(&docx, &limits, &deadline), Err(ReadError::Damaged(_))));
    let txt = files_with_truth(&fixtures().join("forms")).into_iter().find(|p| p.extension().is_some_and(|e| e == "txt")).expect("a txt form");
    assert!(odt::read(&txt, &limits, &deadline).is_err());
}

fn write_zip(path: &Path, parts: &[(&str, &str)]) {
    use std::io::Write;
    let f = std::fs::File::create(path).expect("create zip");
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in parts {
        z.start_file(*name, opts).expect("start part");
        z.write_all(body.as_bytes()).expect("write part");
    }
    z.finish().expect("finish zip");
}

const CONTENT_HEAD: &str = r#"<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>"#;

/// A password-protected .odt (the manifest lists encryption data), a table asking for a million
/// repeated rows of a thousand cells, and a DOCTYPE-carrying part all fail cleanly and fast.
#[test]
fn hostile_and_encrypted_odt_fail_cleanly() {
    let dir = std::env::temp_dir().join(format!("cpoms-qa-odt-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let limits = Limits::default();
    let deadline = Deadline::after(Duration::from_secs(20));

    let encrypted = dir.join("encrypted.odt");
    write_zip(&encrypted, &[
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        ("META-INF/manifest.xml", r#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data manifest:checksum-type="SHA1"/></manifest:file-entry></manifest:manifest>"#),
        ("content.xml", "\u{1}\u{2}not xml"),
    ]);
    assert_eq!(odt::read(&encrypted, &limits, &deadline).err(), Some(ReadError::Encrypted));

    let rows = dir.join("rows.odt");
    let body = format!(
        r#"{CONTENT_HEAD}<table:table><table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:text></office:body></office:document-content>"#
    );
    write_zip(&rows, &[("content.xml", &body)]);
    let started = std::time::Instant::now();
    assert!(matches!(odt::read(&rows, &limits, &deadline), Err(ReadError::TooLarge(_))));
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());

    let doctype = dir.join("doctype.odt");
    let body = format!(r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>{}<text:p>&a;</text:p></office:text></office:body></office:document-content>"#, &CONTENT_HEAD[21..]);
    write_zip(&doctype, &[("content.xml", &body)]);
    assert!(matches!(odt::read(&doctype, &limits, &deadline), Err(ReadError::Damaged(_))));

    let missing = dir.join("missing.odt");
    write_zip(&missing, &[("mimetype", "application/vnd.oasis.opendocument.text")]);
    assert!(matches!(odt::read(&missing, &limits, &deadline), Err(ReadError::Damaged(_))));
    let _ = std::fs::remove_dir_all(&dir);
}
