//! The text (.txt) and PDF readers: decoding, table reconstruction, OCR noise, and PDF layout,
//! checked against the fixtures' truth files.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cpoms_qa::catalogue::QUESTIONS;
use cpoms_qa::model::{Block, Document, Row};
use cpoms_qa::read::{self, Deadline, Limits, ReadError};
use serde_json::Value;

fn read_text(p: &Path) -> Result<Document, ReadError> {
    let limits = Limits::default();
    read::text::read(p, &limits, &Deadline::after(limits.max_time))
}

fn read_pdf(p: &Path) -> Result<Document, ReadError> {
    let limits = Limits::default();
    read::pdf::read(p, &limits, &Deadline::after(limits.max_time))
}

fn with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    common::files_with_truth(dir)
        .into_iter()
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some(ext))
        .collect()
}

/// White space runs made one space, trimmed: how the extractor compares wording.
fn ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every table row of the body, in order.
fn rows(doc: &Document) -> Vec<&Row> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t.rows.iter()),
            Block::Paragraph(_) => None,
        })
        .flatten()
        .collect()
}

fn cell_text(row: &Row, i: usize) -> String {
    row.cells.get(i).map(|c| c.text().trim().to_string()).unwrap_or_else(|| "<no cell>".into())
}

/// Rows by their first cell (the row number), first occurrence only.
fn numbered(doc: &Document) -> HashMap<String, &Row> {
    let mut out = HashMap::new();
    for row in rows(doc) {
        let n = cell_text(row, 0);
        out.entry(n).or_insert(row);
    }
    out
}

/// Compare the 42 numbered rows with the truth: wording in the question cell, the answer's mark
/// in the YES or NO column, the comment in the Comments column. Returns what differs.
fn check_rows(doc: &Document, truth: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let by_number = numbered(doc);
    for q in QUESTIONS {
        let Some(row) = by_number.get(q.id) else {
            problems.push(format!("{}: no row", q.id));
            continue;
        };
        if row.cells.len() != 5 {
            problems.push(format!("{}: {} cells", q.id, row.cells.len()));
            continue;
        }
        let question = cell_text(row, 1);
        if !ws(&question).starts_with(&ws(q.wording)) {
            problems.push(format!("{}: question cell {:?}", q.id, question));
        }
        let t = &truth["questions"][q.id];
        let (yes, no) = (cell_text(row, 2), cell_text(row, 3));
        let (y, n) = (marked(&yes), marked(&no));
        let answer = t["answer"].as_str();
        let ok = match answer {
            Some("yes") => y && !n,
            Some("no") => !y && n,
            Some("both") => y && n,
            // Unanswered: both empty, or both printed words left standing.
            _ => y == n,
        };
        if !ok {
            problems.push(format!("{}: answer {:?} but YES {:?} NO {:?}", q.id, answer, yes, no));
        }
        let comment = cell_text(row, 4);
        let want = t["comment"].as_str().unwrap_or("");
        if comment != want {
            problems.push(format!("{}: comment {:?}, truth {:?}", q.id, comment, want));
        }
    }
    problems
}

#[test]
fn txt_fixtures_rebuild_the_form_tables() {
    let files = with_ext(&common::fixtures().join("forms"), "txt");
    assert_eq!(files.len(), 7, "the seven typed-up fixtures");
    let mut failures = Vec::new();
    for f in &files {
        let doc = match read_text(f) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{}: {e}", f.display()));
                continue;
            }
        };
        let truth = common::load_truth(f);
        for p in check_rows(&doc, &truth) {
            failures.push(format!("{}: {p}", f.display()));
        }
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}

/// The blank form's text, re-encoded, must rebuild the same tables as the UTF-8 original.
fn form_text() -> String {
    let f = common::fixtures().join("forms/012_Parkside_Community_College_cpoms_qa.txt");
    std::fs::read_to_string(f).expect("fixture readable")
}

fn write_temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cpoms-qa-text-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("temp file written");
    p
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if big_endian { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
    }
    for u in text.encode_utf16() {
        out.extend_from_slice(&if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
    }
    out
}

#[test]
fn encodings_and_line_ends_give_the_same_document() {
    let text = form_text();
    let truth = common::load_truth(&common::fixtures().join("forms/012_Parkside_Community_College_cpoms_qa.txt"));
    let reference = read_text(&write_temp("utf8.txt", text.as_bytes())).expect("utf-8 reads");
    assert!(check_rows(&reference, &truth).is_empty());
    let (cp1252, _, lossy) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!lossy, "the fixture's text fits Windows-1252");
    let mut bom8 = vec![0xEF, 0xBB, 0xBF];
    bom8.extend_from_slice(text.as_bytes());
    let variants: Vec<(&str, Vec<u8>)> = vec![
        ("utf8-bom.txt", bom8),
        ("utf16le-bom.txt", utf16(&text, false, true)),
        ("utf16be-bom.txt", utf16(&text, true, true)),
        ("utf16le.txt", utf16(&text, false, false)),
        ("utf16be.txt", utf16(&text, true, false)),
        ("cp1252.txt", cp1252.into_owned()),
        ("crlf.txt", text.replace('\n', "\r\n").into_bytes()),
        ("cr.txt", text.replace('\n', "\r").into_bytes()),
    ];
    for (name, bytes) in variants {
        let doc = read_text(&write_temp(name, &bytes)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(doc, reference, "{name} differs from the UTF-8 reading");
    }
    // The apostrophe in "child’s" is 0x92 in Windows-1252 and must come back as U+2019.
    let doc = read_text(&write_temp("cp1252-check.txt", b"\t1\n\tthe child\x92s details\n\t\n\t\n\t\n")).expect("reads");
    assert_eq!(cell_text(rows(&doc)[0], 1), "the child’s details");
}

#[test]
fn binary_junk_is_not_a_document() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0u32..3000).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8));
    let err = read_text(&write_temp("image.txt", &png)).expect_err("binary refused");
    assert_eq!(err, ReadError::NotADocument("binary data, not text".into()));
    let ctrl: Vec<u8> = (0u32..3000).map(|i| (i % 31 + 1) as u8).collect();
    assert!(matches!(read_text(&write_temp("ctrl.txt", &ctrl)), Err(ReadError::NotADocument(_))));
}

/// A YES/NO cell holds a mark: text other than an empty checkbox.
fn marked(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty() && t != "☐"
}

fn check_pdf_rows(doc: &Document, truth: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let by_number = numbered(doc);
    for q in QUESTIONS {
        let Some(row) = by_number.get(q.id) else {
            problems.push(format!("{}: no row", q.id));
            continue;
        };
        if row.cells.len() != 5 {
            problems.push(format!("{}: {} cells", q.id, row.cells.len()));
            continue;
        }
        if ws(&cell_text(row, 1)) != ws(q.wording) && !ws(&cell_text(row, 1)).starts_with(&ws(q.wording)) {
            problems.push(format!("{}: question cell {:?}", q.id, cell_text(row, 1)));
        }
        let t = &truth["questions"][q.id];
        let (yes, no) = (cell_text(row, 2), cell_text(row, 3));
        // A mark is text (not an empty box) or the cell's shading, read from the page's drawing.
        let shaded = |i: usize| row.cells.get(i).is_some_and(|c| c.shading.is_some());
        let (y, n) = (marked(&yes) || shaded(2), marked(&no) || shaded(3));
        let answer = t["answer"].as_str();
        let ok = match answer {
            Some("yes") => y && !n,
            Some("no") => !y && n,
            Some("both") => y && n,
            _ => !(y ^ n) || yes == no,
        };
        if !ok {
            problems.push(format!("{}: answer {:?} but YES {:?} NO {:?}", q.id, answer, yes, no));
        }
        let want = t["comment"].as_str().unwrap_or("");
        if cell_text(row, 4) != want {
            problems.push(format!("{}: comment {:?}, truth {:?}", q.id, cell_text(row, 4), want));
        }
    }
    problems
}

#[test]
fn pdf_fixtures_rebuild_the_form_tables() {
    if read::pdf::find_on_path("pdftotext").is_none() {
        eprintln!("pdftotext not installed: PDF reading not tested");
        return;
    }
    let files = with_ext(&common::fixtures().join("pdf"), "pdf");
    assert!(files.len() >= 4, "PDF fixtures present");
    let mut failures = Vec::new();
    for f in &files {
        match read_pdf(f) {
            Ok(doc) => {
                let truth = common::load_truth(f);
                failures.extend(check_pdf_rows(&doc, &truth).into_iter().map(|p| format!("{}: {p}", f.display())));
                // The action table: one row per action, wrapped text joined back.
                let actions: Vec<(String, String, String)> = rows(&doc)
                    .into_iter()
                    .skip_while(|r| cell_text(r, 0) != "ACTION REQUIRED")
                    .skip(1)
                    .map(|r| (cell_text(r, 0), cell_text(r, 1), cell_text(r, 2)))
                    .filter(|(a, _, _)| !a.is_empty())
                    .collect();
                let want: Vec<(String, String, String)> = truth["actions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|a| {
                        let s = |k: &str| a[k].as_str().unwrap_or("").to_string();
                        (s("action"), s("by_whom"), s("timescale"))
                    })
                    .collect();
                if actions != want {
                    failures.push(format!("{}: actions {actions:?}, truth {want:?}", f.display()));
                }
                // The printed edition is page furniture, never body text.
                assert!(doc.furniture.iter().any(|b| matches!(b, Block::Paragraph(p) if p.text() == "July 2019")), "{}", f.display());
            }
            Err(e) => failures.push(format!("{}: {e}", f.display())),
        }
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn pdf_without_text_or_tool() {
    let scanned = common::fixtures().join("pdf/scanned_image_only.pdf");
    if read::pdf::find_on_path("pdftotext").is_some() {
        assert_eq!(read_pdf(&scanned), Err(ReadError::ScannedImage));
        // A PDF cut short is damaged, with the reason in words.
        let whole = std::fs::read(common::fixtures().join("pdf/033_Wharfedale_Academy_cpoms_qa.pdf")).expect("fixture");
        let cut = write_temp("cut.pdf", whole.get(..3000).expect("long enough"));
        assert!(matches!(read_pdf(&cut), Err(ReadError::Damaged(_))));
    }
    let limits = Limits::default();
    let err = read::pdf::read_with(&scanned, None, &limits, &Deadline::after(limits.max_time)).expect_err("no tool");
    assert!(matches!(&err, ReadError::NeedsTool(m) if m.contains("poppler-utils")), "{err}");
}

#[test]
fn noisy_txt_fixtures_are_repaired() {
    let files = with_ext(&common::fixtures().join("noisy"), "txt");
    assert!(files.len() >= 3, "noisy fixtures present");
    let mut failures = Vec::new();
    for f in &files {
        let doc = match read_text(f) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{}: {e}", f.display()));
                continue;
            }
        };
        let truth = common::load_truth(f);
        failures.extend(check_rows(&doc, &truth).into_iter().map(|p| format!("{}: {p}", f.display())));
        // Every mark the noise made unplaceable is named, by row, as a part not read.
        for w in truth["_expected_warnings"].as_array().into_iter().flatten() {
            if w["kind"] == "unreadable_mark" {
                let row = w["row"].as_str().unwrap_or("?");
                if !doc.unread.iter().any(|n| n.starts_with(&format!("row {row}:"))) {
                    failures.push(format!("{}: no note for row {row}", f.display()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}


fn has_format(run: &cpoms_qa::model::Run, method: &str) -> bool {
    let f = &run.format;
    match method {
        "bold" => f.bold,
        "underline" => f.underline,
        "highlight" => f.highlight.is_some() || f.shading.is_some(),
        "colour" => f.colour.is_some(),
        _ => false,
    }
}

/// Ratings and the overall standard marked by bold, underline, highlight or colour keep that
/// formatting on the chosen number (read from pdftohtml and the page's drawing).
#[test]
fn pdf_formatting_marks_survive() {
    if read::pdf::find_on_path("pdftotext").is_none() || read::pdf::find_on_path("pdftocairo").is_none() {
        eprintln!("poppler-utils not installed: PDF formatting not tested");
        return;
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in with_ext(&common::fixtures().join("pdf"), "pdf") {
        let truth = common::load_truth(&f);
        let doc = read_pdf(&f).expect("PDF reads");
        let by_number = numbered(&doc);
        let methods = truth["_variant"]["rating_methods"].as_object().cloned().unwrap_or_default();
        for (id, method) in methods {
            let (Some(method), Some(rating)) = (method.as_str(), truth["questions"][&id]["rating"].as_i64()) else { continue };
            if !matches!(method, "bold" | "underline" | "highlight" | "colour") {
                continue;
            }
            checked += 1;
            let found = by_number.get(id.as_str()).and_then(|r| r.cells.get(1)).is_some_and(|c| {
                c.runs().iter().any(|r| r.text.trim() == rating.to_string() && has_format(r, method))
            });
            if !found {
                failures.push(format!("{}: row {id} rating {rating} by {method} not found", f.display()));
            }
        }
        if let (Some(method), Some(overall)) = (truth["_variant"]["overall_method"].as_str(), truth["overall_standard"].as_i64()) {
            if matches!(method, "bold" | "underline" | "highlight" | "colour") {
                checked += 1;
                let found = doc.blocks.iter().any(|b| match b {
                    Block::Paragraph(p) => p.runs.iter().any(|r| r.text.trim() == overall.to_string() && has_format(r, method)),
                    Block::Table(_) => false,
                });
                if !found {
                    failures.push(format!("{}: overall standard {overall} by {method} not found", f.display()));
                }
            }
        }
        // Y/N choices marked by underline: the chosen letter alone is underlined.
        let yn = truth["_variant"]["yn_methods"].as_array().cloned().unwrap_or_default();
        for (key, method) in ["actions_required", "review_required"].iter().zip(yn) {
            if method.as_str() != Some("underline") {
                continue;
            }
            let Some(v) = truth[*key].as_bool() else { continue };
            checked += 1;
            let letter = if v { "Y" } else { "N" };
            let label = if *key == "actions_required" { "Actions required?" } else { "Quality Assurance to be reviewed?" };
            let found = doc.blocks.iter().any(|b| match b {
                Block::Paragraph(p) => p.text().starts_with(label) && p.runs.iter().any(|r| r.text.trim() == letter && r.format.underline),
                Block::Table(_) => false,
            });
            if !found {
                failures.push(format!("{}: {key} {letter} underline not found", f.display()));
            }
        }
    }
    assert!(checked >= 6, "only {checked} formatting marks checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}


/// A text fixture's truth and text, when the shared fixtures are beside the project.
fn text_fixture(name: &str) -> Option<(Value, String)> {
    let src = common::shared_fixtures()?.join("forms").join(name);
    Some((common::load_truth(&src), std::fs::read_to_string(&src).expect("a text fixture")))
}

/// The record of a text return written to a temporary file (removed after).
fn extract_text(name: &str, content: &str) -> Value {
    let tmp = std::env::temp_dir().join(format!("cpoms-qa-{name}-{}.txt", std::process::id()));
    std::fs::write(&tmp, content).expect("write a temporary return");
    let got = common::extract_json(&tmp);
    let _ = std::fs::remove_file(&tmp);
    got
}

/// A copy whose overview and standards are read but whose numbered rows are not (here replaced
/// by a note, as when they come in a shape no reader rebuilds) is partial and says so, rather
/// than "ok" with 42 blank answers that look like an unanswered form.
#[test]
fn rows_that_cannot_be_read_make_the_record_partial() {
    let Some((truth, text)) = text_fixture("022 Northcote High School CPOMS Quality Assurance.txt") else { return };
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.iter().position(|l| l.trim() == "BASIC INFORMATION").expect("section 1 title");
    let last = lines.iter().position(|l| l.trim() == "STANDARDS AND ACTIONS").expect("standards");
    let mut kept: Vec<&str> = lines[..first].to_vec();
    kept.push("Sections 1 to 9 were completed on paper and are attached.");
    kept.extend_from_slice(&lines[last..]);
    let got = extract_text("rows-unread", &kept.join("\n"));
    assert_eq!(got["status"], "partial", "{got:#}");
    let warnings: Vec<&str> = got["warnings"].as_array().expect("warnings").iter().filter_map(|w| w.as_str()).collect();
    assert!(warnings.iter().any(|w| w.contains("numbered rows") && w.contains("could not be read")), "{warnings:?}");
    // What was read is still there.
    assert_eq!(got["header"], truth["header"]);
    assert_eq!(got["overall_standard"], truth["overall_standard"]);
    assert_eq!(got["case_counts"], truth["case_counts"]);
}

/// A Word table pasted into Notepad: one line per row, cells split by tabs, empty cells as empty
/// tabs (and an editor that trims the tabs at the end of a line). Every mark keeps its column.
#[test]
fn one_tab_separated_line_per_row() {
    use cpoms_qa::catalogue::{Kind, SECTIONS};
    let Some((truth, text)) = text_fixture("046_Glebe_Farm_Infant_School_cpoms_qa.txt") else { return };
    // The fixture's header and overview as they are; then the rows, one line each.
    let head: Vec<&str> = text.lines().take_while(|l| l.trim() != "BASIC INFORMATION").collect();
    let mut out: Vec<String> = head.iter().map(|l| l.to_string()).collect();
    for (k, section) in SECTIONS.iter().enumerate() {
        out.push(format!("{}\tYES\tNO\tComments/Actions", section.title));
        for q in QUESTIONS.iter().filter(|q| q.section == section.number) {
            let t = &truth["questions"][q.id];
            let comment = t["comment"].as_str().unwrap_or("").replace('\n', " ");
            let (yes, no) = match t["answer"].as_str() {
                Some("yes") => ("X", ""),
                Some("no") => ("", "X"),
                Some("both") => ("X", "X"),
                _ => ("", ""),
            };
            let line = format!("{}\t{}\t{yes}\t{no}\t{comment}", q.id, q.wording);
            // Half the sections as an editor that trims line ends leaves them.
            out.push(if k % 2 == 0 { line } else { line.trim_end_matches('\t').to_string() });
        }
        out.push(String::new());
    }
    out.push("STANDARDS AND ACTIONS".into());
    out.push("ACTION REQUIRED\tBY WHOM\tTIMESCALE".into());
    for a in truth["actions"].as_array().expect("actions") {
        let s = |k: &str| a[k].as_str().unwrap_or("").replace('\n', " ");
        out.push(format!("{}\t{}\t{}", s("action"), s("by_whom"), s("timescale")));
    }
    let got = extract_text("tab-rows", &out.join("\r\n"));
    let mut answered = 0;
    for q in QUESTIONS.iter().filter(|q| q.kind != Kind::Rating) {
        assert_eq!(got["questions"][q.id]["answer"], truth["questions"][q.id]["answer"], "row {}", q.id);
        answered += usize::from(!truth["questions"][q.id]["answer"].is_null());
    }
    assert!(answered >= 20, "the fixture should answer most rows ({answered})");
    let actions = |v: &Value| -> Vec<(Value, Value)> {
        v["actions"].as_array().into_iter().flatten().map(|a| (a["action"].clone(), a["by_whom"].clone())).collect()
    };
    assert!(!actions(&truth).is_empty());
    assert_eq!(actions(&got), actions(&truth));
    let warnings = got["warnings"].as_array().cloned().unwrap_or_default();
    assert!(!warnings.iter().any(|w| w.as_str().is_some_and(|w| w.contains("could not be placed") || w.contains("not found"))), "{warnings:?}");
}

/// A name typed on the line under "Signed …… (Headteacher…)" rather than over the dots.
#[test]
fn signature_name_on_the_line_below() {
    let Some((truth, text)) = text_fixture("046_Glebe_Farm_Infant_School_cpoms_qa.txt") else { return };
    let head = truth["signatures"]["head"].as_str().expect("fixture 046 is signed by the head").to_string();
    let mut moved = 0;
    let lines: Vec<String> = text
        .lines()
        .flat_map(|l| {
            if l.starts_with("Signed") && l.contains(&head) {
                moved += 1;
                vec![l.replace(&head, ""), head.clone()]
            } else {
                vec![l.to_string()]
            }
        })
        .collect();
    assert_eq!(moved, 1);
    let got = extract_text("signed-below", &lines.join("\n"));
    assert_eq!(got["signatures"], truth["signatures"]);
}

/// A return typed up with one line per row and the answer after the question:
/// "1.4 Does the chronology evidence child's voice? Show examples YES - Child voice evident".
#[test]
fn one_line_per_row_with_the_answer_after_the_question() {
    use cpoms_qa::catalogue::{Kind, SECTIONS};
    let Some((truth, text)) = text_fixture("046_Glebe_Farm_Infant_School_cpoms_qa.txt") else { return };
    let mut out: Vec<String> = text.lines().take_while(|l| l.trim() != "BASIC INFORMATION").map(str::to_string).collect();
    for section in SECTIONS {
        out.push(section.title.to_string());
        for q in QUESTIONS.iter().filter(|q| q.section == section.number) {
            let t = &truth["questions"][q.id];
            let comment = t["comment"].as_str().map(|c| c.replace('\n', " "));
            let line = match (q.kind, t["answer"].as_str(), t["rating"].as_u64()) {
                (Kind::Rating, _, Some(r)) => format!("{} {} (1 = good, 5 = poor): {r}", q.id, q.wording),
                (_, Some("yes"), _) => format!("{} {} YES", q.id, q.wording),
                (_, Some("no"), _) => format!("{} {} No", q.id, q.wording),
                _ => format!("{} {}", q.id, q.wording),
            };
            let line = match comment {
                Some(c) if q.kind != Kind::Rating && !t["answer"].is_null() && t["answer"] != "both" => format!("{line} - {c}"),
                _ => line,
            };
            out.push(line);
        }
        out.push(String::new());
    }
    // The standards and actions typed the same way, one line each.
    out.push("STANDARDS AND ACTIONS".into());
    out.push(format!("Overall Standard of recording (1 = good, 5 = poor): {}", truth["overall_standard"]));
    out.push(format!("Actions required? Y/N: {}", if truth["actions_required"] == true { "Y" } else { "N" }));
    out.push("ACTION REQUIRED / BY WHOM / TIMESCALE".into());
    for (i, a) in truth["actions"].as_array().expect("actions").iter().enumerate() {
        let s = |k: &str| a[k].as_str().unwrap_or("").to_string();
        out.push(format!("{}. {} - {} - {}", i + 1, s("action"), s("by_whom"), s("timescale")));
    }
    out.push(String::new());
    out.extend(text.lines().skip_while(|l| !l.starts_with("Quality Assurance to be reviewed")).map(str::to_string));
    let got = extract_text("line-rows", &out.join("\n"));
    let mut checked = 0;
    for q in QUESTIONS {
        let (want, have) = (&truth["questions"][q.id], &got["questions"][q.id]);
        if want["answer"] == "both" {
            continue;
        }
        if q.kind == Kind::Rating {
            assert_eq!(have["rating"], want["rating"], "row {}", q.id);
        } else {
            assert_eq!(have["answer"], want["answer"], "row {}", q.id);
            if !want["answer"].is_null() {
                assert_eq!(have["comment"], want["comment"].as_str().map(|c| c.replace('\n', " ")).map_or(Value::Null, Value::from), "row {}", q.id);
            }
        }
        checked += 1;
    }
    assert!(checked >= 40, "{checked}");
    assert!(truth["actions"].as_array().is_some_and(|a| a.len() >= 3));
    for key in ["actions", "overall_standard", "actions_required", "review_required", "review_date", "signatures"] {
        assert_eq!(got[key], truth[key], "{key}");
    }
}

/// Word's content-control prompts, plain text once a return is converted ("Click or tap here to
/// enter text."), are not answers; the action heading repeated where the table runs onto a new
/// page is not an action.
#[test]
fn placeholder_prompts_and_a_repeated_action_heading_are_not_read() {
    let Some((truth, text)) = text_fixture("046_Glebe_Farm_Infant_School_cpoms_qa.txt") else { return };
    let mut lines: Vec<String> = Vec::new();
    let mut headings = 0;
    for l in text.lines() {
        if l.starts_with("Name of External Auditor") {
            lines.push("Name of External Auditor: Click or tap here to enter text.".into());
            continue;
        }
        lines.push(l.to_string());
        if l.trim() == "Business Manager" {
            // After the second action: the heading again, as Word repeats it on a new page.
            lines.extend(["\t10.01.20", "", "\tACTION REQUIRED", "\tBY WHOM", "\tTIMESCALE", ""].map(String::from));
            headings += 1;
        } else if l.trim() == "10.01.20" && headings == 1 {
            lines.pop();
        }
    }
    assert_eq!(headings, 1);
    let got = extract_text("prompts", &lines.join("\r\n"));
    assert_eq!(got["header"]["external_auditor"], Value::Null);
    assert_eq!(got["actions"], truth["actions"]);
}

/// Two returns in one file: the first is read and the record says the second was not.
#[test]
fn a_file_holding_the_form_twice_says_so() {
    let Some((truth, text)) = text_fixture("046_Glebe_Farm_Infant_School_cpoms_qa.txt") else { return };
    let got = extract_text("twice", &format!("{text}\r\n{text}"));
    assert_eq!(got["status"], "partial");
    let warnings = got["warnings"].as_array().cloned().unwrap_or_default();
    assert!(warnings.iter().any(|w| w.as_str().is_some_and(|w| w.contains("appears 2 times"))), "{warnings:?}");
    assert_eq!(got["header"], truth["header"]);
    assert_eq!(got["questions"], truth["questions"]);
}
