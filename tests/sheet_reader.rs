//! The spreadsheet reader against the form fixtures, hostile workbooks and the real-world corpus.

use std::path::{Path, PathBuf};

use cpoms_qa::model::{Block, Cell, Document, Format, Table};
use cpoms_qa::read::{self, Deadline, Limits};

fn forms_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/forms")
}

fn read_sheet(path: &Path) -> Result<Document, read::ReadError> {
    let limits = Limits::default();
    let format = read::sniff::sniff_path(path).unwrap_or(Format::Unknown);
    let format = if format.is_spreadsheet() { format } else { format_by_ext(path) };
    read::sheet::read(path, format, &limits, &Deadline::after(limits.max_time))
}

fn format_by_ext(path: &Path) -> Format {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase().as_str() {
        "xlsx" => Format::Xlsx,
        "xlsm" => Format::Xlsm,
        "xls" => Format::Xls,
        _ => Format::Ods,
    }
}

fn tables(doc: &Document) -> Vec<&Table> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn all_cells(doc: &Document) -> Vec<&Cell> {
    tables(doc).into_iter().flat_map(|t| t.rows.iter().flat_map(|r| r.cells.iter())).collect()
}

/// Print a workbook's model: `SHEET_DUMP=path cargo test --test sheet_reader dump -- --ignored --nocapture`.
#[test]
#[ignore]
fn dump() {
    let Ok(p) = std::env::var("SHEET_DUMP") else { return };
    match read_sheet(Path::new(&p)) {
        Ok(doc) => {
            for t in tables(&doc) {
                println!("== sheet {:?} ({} rows)", t.name, t.rows.len());
                for (i, r) in t.rows.iter().enumerate() {
                    let cells: Vec<String> = r
                        .cells
                        .iter()
                        .map(|c| {
                            let mut s = format!("{:?}", c.text());
                            if c.span > 1 {
                                s.push_str(&format!("<{}>", c.span));
                            }
                            if c.merged_above {
                                s.push('^');
                            }
                            if let Some(sh) = &c.shading {
                                s.push_str(&format!("[bg {sh}]"));
                            }
                            for run in c.runs() {
                                if run.format.is_marked() || run.format.strike {
                                    s.push_str(&format!("{{{:?}:{:?}}}", run.text, run.format));
                                }
                            }
                            s
                        })
                        .collect();
                    println!("{i:4}: {}", cells.join(" | "));
                }
            }
            println!("notes: {:?}", doc.notes);
        }
        Err(e) => println!("error: {e}"),
    }
}
