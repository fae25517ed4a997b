//! Last term's summary (`--previous FILE`), a workbook this tool wrote, read back with calamine:
//! per school its latest return's standard, ratings and case counts, and its open actions, so
//! this term's workbook can show what improved, what declined and what was carried over.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::Path;
use std::time::Duration;

use calamine::{Data, DataRef, DataType, Reader, Xlsx, XlsxError};

use crate::read::{Deadline, Limits, ReadError};

use super::register;

/// One school's figures on last term's summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreviousSchool {
    /// The school as shown last term.
    pub school: String,
    pub overall_standard: Option<f64>,
    pub rating_3_3: Option<f64>,
    pub rating_4_2: Option<f64>,
    pub cp: Option<f64>,
    pub cin: Option<f64>,
    pub lac: Option<f64>,
    pub eh: Option<f64>,
    /// The wording of actions still open on last term's summary.
    pub open_actions: Vec<String>,
}

/// Last term's summary, by school key ([`register::school_key`] of the name shown).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Previous {
    pub schools: BTreeMap<String, PreviousSchool>,
}

fn text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.trim().to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.as_string().unwrap_or_default(),
    }
}

fn number(d: Option<&Data>) -> Option<f64> {
    match d {
        Some(Data::Float(f)) => Some(*f),
        Some(Data::Int(i)) => Some(*i as f64),
        Some(Data::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Column index by lower-case heading, and the rows below the heading row.
type Table = (BTreeMap<String, usize>, Vec<Vec<Data>>);

/// Bounds for reading last term's workbook. A summary of 10,000 returns is a few MB with some
/// 10,000 rows of about 40 columns; a hostile file (a cell at XFD1048576, a shared-strings or zip
/// bomb) must cost no more than these.
const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
const MAX_INFLATED_BYTES: u64 = 128 * 1024 * 1024;
const MAX_ROWS: u32 = 200_000;
const MAX_COLS: u32 = 128;
const MAX_CELLS: usize = 2_000_000;
const MAX_TIME: Duration = Duration::from_secs(60);

/// A sheet's rows as a header map and data rows: the header row is the first row with a cell
/// reading `first_heading`.
fn table(rows: Vec<Vec<Data>>, first_heading: &str) -> Option<Table> {
    let header_at = rows.iter().position(|r| r.iter().any(|c| text(Some(c)) == first_heading))?;
    let header: BTreeMap<String, usize> = rows
        .get(header_at)?
        .iter()
        .enumerate()
        .map(|(i, c)| (text(Some(c)).to_ascii_lowercase(), i))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    Some((header, rows.into_iter().skip(header_at + 1).collect()))
}

/// The usage error for a previous workbook that cannot be used.
fn unusable(path: &Path, why: &str) -> String {
    format!(
        "--previous {}: not a summary workbook written by cpoms-qa summarise, or damaged or too large ({why}); \
         give last term's .xlsx written by cpoms-qa summarise",
        path.display()
    )
}

fn reason(e: &ReadError) -> String {
    match e {
        ReadError::Damaged(why) => format!("damaged: {why}"),
        ReadError::TooLarge(why) | ReadError::NotADocument(why) | ReadError::Other(why) => why.clone(),
        ReadError::TooSlow => "reading it took too long".into(),
        ReadError::Encrypted => "password protected".into(),
        other => other.to_string(),
    }
}

/// One cell's value as calamine's owned [`Data`] (only text and numbers are used).
fn owned(v: DataRef<'_>) -> Data {
    match v {
        DataRef::Int(i) => Data::Int(i),
        DataRef::Float(f) => Data::Float(f),
        DataRef::String(s) => Data::String(s),
        DataRef::SharedString(s) => Data::String(s.to_string()),
        DataRef::Bool(b) => Data::Bool(b),
        DataRef::DateTime(d) => Data::DateTime(d),
        DataRef::DateTimeIso(s) => Data::DateTimeIso(s),
        DataRef::DurationIso(s) => Data::DurationIso(s),
        DataRef::Error(_) | DataRef::Empty => Data::Empty,
    }
}

/// A sheet's cells, streamed (never a dense range sized by the file's own coordinates) and kept
/// within [`MAX_ROWS`] × [`MAX_COLS`] and `cells` (shared across sheets). `Ok(None)`: no such sheet.
fn sheet_rows(
    book: &mut Xlsx<Cursor<Vec<u8>>>,
    name: &str,
    cells: &mut usize,
    deadline: &Deadline,
) -> Result<Option<Vec<Vec<Data>>>, String> {
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(XlsxError::WorksheetNotFound(_)) | Err(XlsxError::NotAWorksheet(_)) => return Ok(None),
        Err(_) => return Err(format!("damaged: its {name} sheet cannot be read")),
    };
    let mut rows: Vec<Vec<Data>> = Vec::new();
    let mut streamed: u64 = 0;
    loop {
        streamed += 1;
        if streamed.is_multiple_of(1024) {
            deadline.check().map_err(|e| reason(&e))?;
        }
        match reader.next_cell() {
            Ok(Some(cell)) => {
                let (row, col) = cell.get_position();
                if row >= MAX_ROWS {
                    // Rows come in order and cpoms-qa never writes this far down.
                    break;
                }
                if col >= MAX_COLS {
                    continue;
                }
                let value = owned(cell.get_value().clone());
                if matches!(value, Data::Empty) {
                    continue;
                }
                *cells += 1;
                if *cells > MAX_CELLS {
                    return Err(format!("more than {MAX_CELLS} cells"));
                }
                let (row, col) = (row as usize, col as usize);
                if rows.len() <= row {
                    rows.resize_with(row + 1, Vec::new);
                }
                if let Some(r) = rows.get_mut(row) {
                    if r.len() <= col {
                        r.resize(col + 1, Data::Empty);
                    }
                    if let Some(c) = r.get_mut(col) {
                        *c = value;
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return Err(format!("damaged: its {name} sheet cannot be read")),
        }
    }
    Ok(Some(rows))
}

/// A sheet's cells, row by row.
type Rows = Vec<Vec<Data>>;

/// The Schools and Actions sheets of a previous workbook, read within the bounds above.
fn read_sheets(path: &Path) -> Result<(Rows, Option<Rows>), String> {
    let deadline = Deadline::after(MAX_TIME);
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open it: {}", crate::read::io_reason(&e)))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it: {}", crate::read::io_reason(&e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("larger than {} MB", MAX_FILE_BYTES / 1_000_000));
    }
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err("it is not an .xlsx workbook".into());
    }
    let limits = Limits { max_file_bytes: MAX_FILE_BYTES, max_inflated_bytes: MAX_INFLATED_BYTES, ..Limits::default() };
    crate::read::sheet::check_xlsx_package(&bytes, &limits, &deadline).map_err(|e| reason(&e))?;
    let mut book: Xlsx<Cursor<Vec<u8>>> =
        Xlsx::new(Cursor::new(bytes)).map_err(|_| "damaged: the workbook cannot be opened".to_string())?;
    let mut cells = 0usize;
    let schools = sheet_rows(&mut book, "Schools", &mut cells, &deadline)?.ok_or("it has no Schools sheet")?;
    let actions = sheet_rows(&mut book, "Actions", &mut cells, &deadline)?;
    Ok((schools, actions))
}

impl Previous {
    /// Read a summary workbook this tool wrote. Only each school's latest return is used.
    ///
    /// The file is untrusted: it is read with bounds on size, inflation, rows, columns, cells
    /// and time, and a panic inside the spreadsheet library becomes an error, never a crash.
    pub fn load(path: &Path) -> Result<Previous, String> {
        let (schools_rows, actions_rows) = match crate::quietly(|| read_sheets(path)) {
            Ok(Ok(sheets)) => sheets,
            Ok(Err(why)) => return Err(unusable(path, &why)),
            Err(_) => return Err(unusable(path, "damaged: the spreadsheet library could not read it")),
        };
        let (head, rows) =
            table(schools_rows, "School").ok_or_else(|| unusable(path, "its Schools sheet has no heading row"))?;
        let col = |name: &str| head.get(name).copied();
        let school_col = col("school").ok_or_else(|| unusable(path, "its Schools sheet has no School column"))?;
        let mut prev = Previous::default();
        for row in &rows {
            let school = text(row.get(school_col));
            if school.is_empty() {
                continue;
            }
            if let Some(c) = col("return") {
                if text(row.get(c)) != "latest" {
                    continue;
                }
            }
            let get = |name: &str| col(name).and_then(|c| number(row.get(c)));
            prev.schools.insert(
                register::school_key(&school),
                PreviousSchool {
                    school: school.clone(),
                    overall_standard: get("overall standard"),
                    rating_3_3: get("rating 3.3"),
                    rating_4_2: get("rating 4.2"),
                    cp: get("cp"),
                    cin: get("cin"),
                    lac: get("lac"),
                    eh: get("eh"),
                    open_actions: Vec::new(),
                },
            );
        }
        if let Some((head, rows)) = actions_rows.and_then(|r| table(r, "Action")) {
            let col = |name: &str| head.get(name).copied();
            if let (Some(sc), Some(ac), Some(st)) = (col("school"), col("action"), col("status")) {
                for row in &rows {
                    let status = text(row.get(st));
                    let open = matches!(status.as_str(), "overdue" | "due within 4 weeks" | "later" | "no date");
                    if !open {
                        continue;
                    }
                    let key = register::school_key(&text(row.get(sc)));
                    if let Some(s) = prev.schools.get_mut(&key) {
                        s.open_actions.push(text(row.get(ac)));
                    }
                }
            }
        }
        Ok(prev)
    }

    /// Last term's figures for a school (by the name shown this term).
    pub fn school(&self, name: &str) -> Option<&PreviousSchool> {
        self.schools.get(&register::school_key(name))
    }
}

/// True when `action` repeats one of last term's open actions.
pub fn was_open_last_term(prev: &PreviousSchool, action: &str) -> bool {
    prev.open_actions.iter().any(|a| register::text_similarity(a, action) >= 0.6)
}
