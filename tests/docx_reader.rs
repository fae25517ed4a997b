//! The .docx reader against the real fixtures and hand-made documents.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cpoms_qa::model::{Block, Document, RunKind};
use cpoms_qa::read::{docx, Deadline, Limits, ReadError};

fn read(path: &Path) -> Result<Document, ReadError> {
    let limits = Limits::default();
    docx::read(path, &limits, &Deadline::after(limits.max_time))
}

fn forms_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/forms")
}

fn docx_fixtures() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(forms_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "docx"))
        .collect();
    out.sort();
    out
}

fn truth(p: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(format!("{}.truth.json", p.display())).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Every table row in the document (nested tables included), with its table's index.
fn all_rows(blocks: &[Block]) -> Vec<&cpoms_qa::model::Row> {
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

/// The row whose first non-empty cell is exactly `id`.
fn row_for<'a>(rows: &[&'a cpoms_qa::model::Row], id: &str) -> Option<&'a cpoms_qa::model::Row> {
    rows.iter().copied().find(|r| r.cells.iter().map(|c| c.text()).find(|t| !t.trim().is_empty()).is_some_and(|t| t.trim() == id))
}

/// Every question row of every Word fixture is found, and its Comments/Actions cell holds exactly
/// the truth's comment: tracked changes accepted, line breaks and paragraphs as "\n", merged
/// cells not read twice, form-field instructions dropped.
#[test]
fn every_form_reads_with_rows_and_exact_comments() {
    let files = docx_fixtures();
    assert!(files.len() >= 15, "docx fixtures present");
    let mut problems = Vec::new();
    for p in &files {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let doc = read(p).unwrap_or_else(|e| panic!("{name}: {e}"));
        let t = truth(p);
        let rows = all_rows(&doc.blocks);
        let questions = t["questions"].as_object().unwrap();
        assert_eq!(questions.len(), 42, "{name}: truth lists the 42 rows");
        for (id, q) in questions {
            let want = q["comment"].as_str().unwrap_or("");
            match row_for(&rows, id) {
                None => problems.push(format!("{name} {id}: no row")),
                Some(r) => {
                    let got = r.cells.last().map(|c| c.text()).unwrap_or_default();
                    if got.trim() != want {
                        problems.push(format!("{name} {id}: comment {:?}, truth {:?}", got.trim(), want));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every .docx under `dir`, recursively (explicit stack).
fn docx_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("docx")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The real-world corpus (other projects' test files: corrupt, strict, fuzzer cases): every
/// .docx gives Ok or a reasoned error within the time limit, and never panics.
#[test]
fn real_world_docx_never_panic_or_hang() {
    let dir = Path::new("/work/shared/fixtures/real-world");
    if !dir.is_dir() {
        eprintln!("real-world fixtures not present; skipped");
        return;
    }
    let files = docx_under(dir);
    assert!(files.len() > 100, "expected the real-world corpus, found {}", files.len());
    let limits = Limits { max_time: Duration::from_secs(10), ..Limits::default() };
    let (mut ok, mut err) = (0, 0);
    let mut slowest: Vec<(Duration, &PathBuf)> = Vec::new();
    let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
    for p in &files {
        let started = std::time::Instant::now();
        let result = std::panic::catch_unwind(|| docx::read(p, &limits, &Deadline::after(limits.max_time)));
        let took = started.elapsed();
        assert!(took < limits.max_time + Duration::from_secs(2), "{} took {:?}", p.display(), took);
        slowest.push((took, p));
        match result {
            Err(_) => panic!("reader panicked on {}", p.display()),
            Ok(Ok(_)) => ok += 1,
            Ok(Err(e)) => {
                err += 1;
                let reason = e.to_string();
                assert!(!reason.is_empty());
                *reasons.entry(reason).or_default() += 1;
                if std::env::var("SHOW_ERRORS").is_ok() {
                    println!("{}: {e}", p.display());
                }
            }
        }
    }
    println!("real-world .docx: {ok} read, {err} refused");
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (t, p) in slowest.iter().take(3) {
        println!("  slowest: {t:?} {}", p.display());
    }
    for (r, n) in &reasons {
        println!("  {n:4} {r}");
    }
    assert!(ok > files.len() / 2, "most real-world files should read: {ok} of {}", files.len());
}

fn variant<'a>(t: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    &t["_variant"][key]
}

/// The YES and NO cells of a question row: the two cells after the question's wording.
fn yes_no<'a>(r: &'a cpoms_qa::model::Row, id: &str) -> (&'a cpoms_qa::model::Cell, &'a cpoms_qa::model::Cell) {
    let at = r.cells.iter().position(|c| c.text().trim() == id).unwrap();
    (&r.cells[at + 2], &r.cells[at + 3])
}

fn checkbox_state(c: &cpoms_qa::model::Cell) -> Option<bool> {
    let runs = c.runs();
    let boxes: Vec<bool> = runs.iter().filter_map(|r| if let RunKind::Checkbox { checked } = r.kind { Some(checked) } else { None }).collect();
    assert!(boxes.len() <= 1, "one checkbox per cell: {runs:?}");
    assert!(runs.iter().all(|r| matches!(r.kind, RunKind::Checkbox { .. }) || r.text.trim().is_empty()), "no glyph text beside the checkbox: {runs:?}");
    boxes.first().copied()
}

/// Checkbox content controls (w14:checkbox) and legacy FORMCHECKBOX fields carry the truth's
/// answer as their checked state, one Checkbox run per cell.
#[test]
fn checkbox_controls_and_form_fields_match_truth() {
    let mut seen = 0;
    for p in docx_fixtures() {
        let t = truth(&p);
        let mode = variant(&t, "mark_mode").as_str().unwrap_or("");
        if mode != "sdt" && mode != "formfield" {
            continue;
        }
        seen += 1;
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let doc = read(&p).unwrap();
        let rows = all_rows(&doc.blocks);
        for (id, q) in t["questions"].as_object().unwrap() {
            if q.get("rating").is_some_and(|r| !r.is_null()) {
                continue;
            }
            let answer = q["answer"].as_str().unwrap_or("");
            let r = row_for(&rows, id).unwrap();
            let (yes, no) = yes_no(r, id);
            assert_eq!(checkbox_state(yes), Some(answer == "yes" || answer == "both"), "{name} {id} YES");
            assert_eq!(checkbox_state(no), Some(answer == "no" || answer == "both"), "{name} {id} NO");
        }
    }
    assert!(seen >= 4, "sdt and form-field fixtures: {seen}");
}

/// A cell shows a mark when it has text (a typed X, a Wingdings tick as a Symbol run) or is
/// shaded.
fn shows_mark(c: &cpoms_qa::model::Cell) -> bool {
    !c.text().trim().is_empty() || c.shading.is_some()
}

/// Typed, Wingdings and shaded marks (also mixed in one form): the marked cell shows a mark
/// (Wingdings ticks as Symbol runs, shading as the cell's fill), the other cell nothing.
#[test]
fn typed_wingdings_and_shaded_marks_match_truth() {
    let (mut symbols, mut shaded, mut files) = (0, 0, 0);
    for p in docx_fixtures() {
        let t = truth(&p);
        let mode = variant(&t, "mark_mode").as_str().unwrap_or("");
        if !["wingdings", "shade", "typed"].contains(&mode) {
            continue;
        }
        files += 1;
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let doc = read(&p).unwrap();
        let rows = all_rows(&doc.blocks);
        for (id, q) in t["questions"].as_object().unwrap() {
            if q.get("rating").is_some_and(|r| !r.is_null()) {
                continue;
            }
            let answer = q["answer"].as_str().unwrap_or("");
            let (yes, no) = yes_no(row_for(&rows, id).unwrap(), id);
            for (cell, marked) in [(yes, answer == "yes" || answer == "both"), (no, answer == "no" || answer == "both")] {
                assert_eq!(shows_mark(cell), marked, "{name} {id}: {:?} {:?}", cell.shading, cell.runs());
                symbols += cell.runs().iter().filter(|r| r.kind == RunKind::Symbol && ["✓", "☑", "☒"].contains(&r.text.as_str())).count();
                shaded += usize::from(cell.shading.is_some());
            }
        }
    }
    assert!(files >= 8, "{files}");
    assert!(symbols > 50, "Wingdings ticks seen as Symbol runs: {symbols}");
    assert!(shaded > 20, "shaded answer cells: {shaded}");
}

#[test]
fn specific_fixture_details() {
    // 003: row "1" has a Wingdings tick (w:sym F0FC) in its YES cell; "Y" of "Actions required?
    // Y/N" is highlighted yellow; the header row spans two grid columns.
    let doc = read(&forms_dir().join("003_Old_Mill_Primary_School_cpoms_qa.docx")).unwrap();
    let rows = all_rows(&doc.blocks);
    let (yes, no) = yes_no(row_for(&rows, "1").unwrap(), "1");
    let runs = yes.runs();
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].kind, runs[0].text.as_str()), (RunKind::Symbol, "✓"));
    assert_eq!(no.text(), "");
    assert!(rows.iter().any(|r| r.cells.first().is_some_and(|c| c.span == 2 && c.text() == "BASIC INFORMATION")));
    let actions = doc.blocks.iter().find_map(|b| match b {
        Block::Paragraph(p) if p.text().starts_with("Actions required?") => Some(p),
        _ => None,
    });
    let y = actions.unwrap().runs.iter().find(|r| r.text == "Y").unwrap();
    assert_eq!(y.format.highlight.as_deref(), Some("yellow"));
    // Inserted text (w:ins) is read: the reviewer's role was typed as a tracked insertion.
    assert!(doc.blocks.iter().any(|b| matches!(b, Block::Paragraph(p) if p.text() == "Position/Role of Person conducting the Quality Assurance: Executive Headteacher")));

    // 032 and 059: an action row deleted with tracked changes is not in the model.
    for f in ["032_QA_Tool_Sandholme_Primary_School_20210727.docx", "059 CPOMS QA - Chapel End Infant School - Mar 2021.docx"] {
        let doc = read(&forms_dir().join(f)).unwrap();
        let rows = all_rows(&doc.blocks);
        assert!(!rows.iter().any(|r| r.cells.iter().any(|c| c.text().contains("Re-scan all paper files"))), "{f}");
        assert!(doc.notes.iter().any(|n| n.contains("deleted")), "{f}: {:?}", doc.notes);
    }

    // 033: vertically merged rows: the continuation cells are marked and empty, so the
    // question's YES cell is read once.
    let doc = read(&forms_dir().join("033_Wharfedale_Academy_cpoms_qa.docx")).unwrap();
    let rows = all_rows(&doc.blocks);
    let at = rows.iter().position(|r| r.cells.first().is_some_and(|c| c.text().trim() == "1.5")).unwrap();
    let next = rows[at + 1];
    assert!(next.cells[0].merged_above && next.cells[0].blocks.is_empty());
    assert_eq!(next.cells[1].text(), "Show examples");
    assert!(next.cells[2].merged_above && next.cells[3].merged_above && next.cells[4].merged_above);
}

/// The edition printed in the page footer reaches `Document::furniture`, not the body.
#[test]
fn footers_go_to_furniture() {
    let mut seen = 0;
    for p in docx_fixtures() {
        let t = truth(&p);
        let footer = variant(&t, "footer").as_str().unwrap_or("");
        let doc = read(&p).unwrap();
        let furniture: String = doc.furniture.iter().filter_map(|b| if let Block::Paragraph(p) = b { Some(p.text()) } else { None }).collect();
        if footer == "footer" || footer == "both" {
            seen += 1;
            assert!(furniture.contains("July 2019"), "{}: {furniture:?}", p.display());
        } else {
            assert!(!furniture.contains("July 2019"), "{}", p.display());
        }
    }
    assert!(seen >= 8);
}

