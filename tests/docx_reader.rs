//! The .docx reader against the real fixtures and hand-made documents.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cpoms_qa::model::{Block, Cell, Document, Run, RunKind};
use cpoms_qa::read::{docx, Deadline, Limits, ReadError};

fn read(path: &Path) -> Result<Document, ReadError> {
    let limits = Limits::default();
    docx::read(path, &limits, &Deadline::after(limits.max_time))
}

/// Print a document's model (for looking at a file while debugging: DOCX_DUMP=path).
#[test]
#[ignore]
fn dump() {
    let Ok(p) = std::env::var("DOCX_DUMP") else { return };
    let doc = read(Path::new(&p)).unwrap();
    print_blocks(&doc.blocks, 0);
    println!("--- furniture");
    print_blocks(&doc.furniture, 0);
    println!("--- notes {:?}", doc.notes);
}

fn print_blocks(blocks: &[Block], indent: usize) {
    let pad = " ".repeat(indent);
    for b in blocks {
        match b {
            Block::Paragraph(p) => println!("{pad}P {:?}", p.runs.iter().map(show_run).collect::<Vec<_>>()),
            Block::Table(t) => {
                println!("{pad}TABLE");
                for (i, r) in t.rows.iter().enumerate() {
                    println!("{pad} ROW {i}");
                    for c in &r.cells {
                        println!("{pad}  CELL span={} merged={} shd={:?}", c.span, c.merged_above, c.shading);
                        print_blocks(&c.blocks, indent + 4);
                    }
                }
            }
        }
    }
}

fn show_run(r: &Run) -> String {
    let f = &r.format;
    let mut marks = String::new();
    if f.bold { marks.push('B'); }
    if f.underline { marks.push('U'); }
    if f.strike { marks.push('S'); }
    if f.boxed { marks.push('O'); }
    if let Some(h) = &f.highlight { marks.push_str(&format!(" hl={h}")); }
    if let Some(h) = &f.shading { marks.push_str(&format!(" shd={h}")); }
    if let Some(h) = &f.colour { marks.push_str(&format!(" col={h}")); }
    let kind = match r.kind { RunKind::Text => "", RunKind::Symbol => "SYM ", RunKind::Checkbox { checked: true } => "CHK+ ", RunKind::Checkbox { checked: false } => "CHK- " };
    format!("{kind}{:?}{}", r.text, if marks.is_empty() { String::new() } else { format!("[{marks}]") })
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

#[test]
#[ignore]
fn comments_diagnostic() {
    for p in docx_fixtures() {
        let doc = read(&p).unwrap();
        let t = truth(&p);
        let rows = all_rows(&doc.blocks);
        let mut bad = 0;
        for (id, q) in t["questions"].as_object().unwrap() {
            let want = q["comment"].as_str().unwrap_or("");
            match row_for(&rows, id) {
                None => { bad += 1; println!("  {id}: no row"); }
                Some(r) => {
                    let got = r.cells.last().map(|c| c.text()).unwrap_or_default();
                    if got.trim() != want { bad += 1; println!("  {id}: got {:?} want {:?}", got.trim(), want); }
                }
            }
        }
        println!("{}: {} mismatches", p.file_name().unwrap().to_string_lossy(), bad);
    }
}

#[test]
#[ignore]
fn answers_diagnostic() {
    let only = std::env::var("ONLY").unwrap_or_default();
    for p in docx_fixtures() {
        if !p.to_string_lossy().contains(&only) { continue; }
        let doc = read(&p).unwrap();
        let t = truth(&p);
        let rows = all_rows(&doc.blocks);
        println!("{}", p.file_name().unwrap().to_string_lossy());
        for (id, q) in t["questions"].as_object().unwrap() {
            let Some(r) = row_for(&rows, id) else { continue };
            let n = r.cells.len();
            let mid: Vec<String> = r.cells.iter().skip(2).take(n.saturating_sub(3)).map(|c| {
                format!("{}{{{}}}", c.shading.as_deref().unwrap_or(""), c.runs().iter().map(|r| show_run(r)).collect::<Vec<_>>().join(","))
            }).collect();
            println!("  {id:5} {:5} r={:4} | {}", q["answer"].as_str().unwrap_or("-"), q.get("rating").and_then(|v| v.as_i64()).map(|v| v.to_string()).unwrap_or_default(), mid.join(" | "));
        }
    }
}
