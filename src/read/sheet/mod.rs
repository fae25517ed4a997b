//! Spreadsheet returns (.xlsx, .xlsm, .xls, .ods) → the neutral model.
//!
//! Each worksheet, in workbook order, becomes one [`Block::Table`] named after the sheet, with one
//! [`Row`](crate::model::Row) per sheet row from the first to the last used row and one cell per
//! column from the first to the last used column (empty cells included), so columns line up
//! across rows. A merged region appears once, as in Word tables: its top-left cell carries the
//! text with `span` set, the first cell of each further row it covers has `merged_above`, and the
//! other covered cells are left out; a cell's grid column is the running sum of `span`.
//!
//! Cell text: strings as typed (nothing trimmed, line breaks as `\n`); numbers without a
//! trailing ".0" ("9", "9.1": a row number 9.10 typed as a number arrives as "9.1"); cells formatted
//! as dates as ISO "YYYY-MM-DD"; booleans "TRUE"/"FALSE"; error values empty.
//!
//! Formatting (what people use to mark an answer), by format:
//! - .xlsx/.xlsm: the cell's font (bold, italic, underline, strike, colour) on its run and a solid
//!   fill on [`Cell::shading`](crate::model::Cell::shading), from calamine's style palette. Rich
//!   text inside one cell (one word bold) is kept as separate runs: calamine flattens shared
//!   strings, so [`xlsx`] reads `sharedStrings.xml` runs itself.
//! - .ods: read by our own streaming reader of `content.xml` (calamine's builds a dense range
//!   with no bound): cell and text-span styles (bold, underline, strike, colour, background).
//! - .xls: calamine gives no formatting for .xls; values only.
//!
//! Safety: no dense range is ever built from untrusted coordinates. .xlsx is streamed cell by
//! cell; .ods is streamed by our reader; .xls (which calamine reads eagerly into dense ranges) is
//! pre-scanned record by record and refused when a sheet's declared or used area is too large.
//! At most [`grid::MAX_ROWS`] × [`grid::MAX_COLS`] per sheet are kept (a note says when more was
//! dropped) and the whole workbook is held under `Limits::max_cells`.

mod grid;
mod ods;
mod xls;
mod xlsx;

use std::io::{Cursor, Read};
use std::path::Path;

use crate::model::{Block, Document, Format};
use crate::read::{Deadline, Limits, ReadError};

pub use grid::{MAX_COLS, MAX_ROWS};

/// Read a spreadsheet return. The container is recognised by content: an .xlsx that is really an
/// .xls (or the other way round) is read as what it is.
pub fn read(path: &Path, format: Format, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    let bytes = read_bounded(path, limits)?;
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return read_zip(path, bytes, format, limits, deadline);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return xls::read(path, bytes, limits, deadline);
    }
    Err(not_a_spreadsheet(&bytes))
}

fn read_bounded(path: &Path, limits: &Limits) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(|e| ReadError::Other(crate::read::io_reason(&e)))?;
    let mut bytes = Vec::new();
    file.take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Other(crate::read::io_reason(&e)))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ReadError::TooLarge(format!("{} MB is larger than any return", bytes.len() / 1_000_000)));
    }
    Ok(bytes)
}

/// Why a file given as a spreadsheet is not one we can read, from its first bytes.
fn not_a_spreadsheet(bytes: &[u8]) -> ReadError {
    let head: Vec<u8> = bytes.iter().take(512).copied().collect();
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with("<!doctype html") || text.starts_with("<html") || text.contains("<table") {
        return ReadError::NotADocument(
            "a web page (HTML) saved with a spreadsheet name: open it in Excel and save it as .xlsx".into(),
        );
    }
    if text.starts_with("<?xml") && text.contains("urn:schemas-microsoft-com:office:spreadsheet") {
        return ReadError::NotADocument(
            "an Excel 2003 XML spreadsheet: open it in Excel and save it as .xlsx".into(),
        );
    }
    // BIFF2..BIFF5 worksheets stored without the OLE container start with a BOF record.
    if matches!(bytes.get(..2), Some([0x09, 0x00]) | Some([0x09, 0x02]) | Some([0x09, 0x04]) | Some([0x09, 0x08])) {
        return ReadError::NotADocument(
            "an Excel file in a very old format (Excel 2-4): open it in Excel and save it as .xlsx".into(),
        );
    }
    if !head.is_empty() && std::str::from_utf8(&head).is_ok() && (text.contains(',') || text.contains('\t')) {
        return ReadError::NotADocument(
            "a text (CSV) file saved with a spreadsheet name: open it in Excel and save it as .xlsx".into(),
        );
    }
    ReadError::NotADocument("not a spreadsheet: the file is neither an Excel nor an OpenDocument workbook".into())
}

/// What a zip package holds.
enum Package {
    Xlsx,
    Xlsb,
    Ods,
    Docx,
    Odt,
}

fn read_zip(path: &Path, bytes: Vec<u8>, format: Format, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    let package = inspect_zip(&bytes, limits, deadline)?;
    match package {
        Package::Xlsx => xlsx::read(bytes, limits, deadline),
        Package::Ods => ods::read(bytes, limits, deadline),
        Package::Xlsb => Err(ReadError::NotADocument(
            "an Excel binary workbook (.xlsb): open it in Excel and save it as .xlsx".into(),
        )),
        // A Word or Writer document given a spreadsheet name: read it as what it is.
        Package::Docx if format != Format::Docx => crate::read::docx::read(path, limits, deadline),
        Package::Odt if format != Format::Odt => crate::read::odt::read(path, limits, deadline),
        Package::Docx | Package::Odt => Err(ReadError::NotADocument("not a spreadsheet".into())),
    }
}

/// Check that `bytes` is an .xlsx package within the limits before calamine opens it: declared
/// and really inflated sizes under `Limits::max_inflated_bytes`, a workbook part present, and a
/// shared-strings count no larger than the part can hold (calamine reserves room for the count).
pub(crate) fn check_xlsx_package(bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<(), ReadError> {
    match inspect_zip(bytes, limits, deadline)? {
        Package::Xlsx => xlsx::check_shared_strings_count(bytes, limits),
        _ => Err(ReadError::NotADocument("not an Excel workbook".into())),
    }
}

/// The most a deflated stream can expand (the format's limit is about 1,032 to 1), with margin.
const DEFLATE_MAX_RATIO: u64 = 1_100;

/// Check the zip's declared sizes against the inflation limit and find what it holds.
fn inspect_zip(bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<Package, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        ReadError::Damaged("the zip package is damaged or truncated".into())
    })?;
    let mut total: u64 = 0;
    let (mut xl, mut xlsb, mut word, mut content) = (false, false, false, false);
    let mut manifest = None;
    let mut mimetype = String::new();
    let mut only_deflate = true;
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(i) else {
            return Err(ReadError::Damaged("the zip package is damaged".into()));
        };
        total = total.saturating_add(entry.size());
        only_deflate &= matches!(entry.compression(), zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated);
        let name = String::from_utf8_lossy(entry.name_raw()).to_ascii_lowercase();
        drop(entry);
        if name == "xl/workbook.bin" {
            xlsb = true;
        } else if name.starts_with("xl/") && name.ends_with(".xml") {
            xl = true;
        } else if name.starts_with("word/") {
            word = true;
        } else if name == "content.xml" {
            content = true;
        } else if name == "meta-inf/manifest.xml" {
            manifest = Some(i);
        } else if name == "mimetype" {
            if let Ok(mut f) = zip.by_index(i) {
                let mut buf = Vec::new();
                let _ = (&mut f).take(200).read_to_end(&mut buf);
                mimetype = String::from_utf8_lossy(&buf).into_owned();
            }
        }
    }
    if total > limits.max_inflated_bytes {
        return Err(bomb(total));
    }
    // Declared sizes can lie and calamine inflates whole parts: count what really comes out,
    // unless the file is too small to hold that much (deflate expands at most 1,032 times, so a
    // 10 KB workbook cannot inflate past 11 MB; inflating every part once more cost a tenth of
    // reading a workbook).
    let most_possible = (bytes.len() as u64).saturating_mul(DEFLATE_MAX_RATIO);
    let parts_to_count = if only_deflate && most_possible <= limits.max_inflated_bytes { 0 } else { zip.len() };
    let mut inflated: u64 = 0;
    let mut chunk = vec![0u8; 64 * 1024];
    for i in 0..parts_to_count {
        let Ok(mut entry) = zip.by_index(i) else { continue };
        loop {
            deadline.check()?;
            match entry.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    inflated = inflated.saturating_add(n as u64);
                    if inflated > limits.max_inflated_bytes {
                        return Err(bomb(inflated));
                    }
                }
                // A damaged part: the reader that needs it reports the damage.
                Err(_) => break,
            }
        }
    }
    // An encrypted OpenDocument file lists its encryption in the manifest.
    if let Some(i) = manifest {
        if let Ok(f) = zip.by_index(i) {
            let mut buf = Vec::new();
            let _ = f.take(1_000_000).read_to_end(&mut buf);
            if String::from_utf8_lossy(&buf).contains("encryption-data") {
                return Err(ReadError::Encrypted);
            }
        }
    }
    if xlsb && !xl {
        return Ok(Package::Xlsb);
    }
    if xl || xlsb {
        return Ok(Package::Xlsx);
    }
    if content && mimetype.contains("opendocument.text") {
        return Ok(Package::Odt);
    }
    if content {
        return Ok(Package::Ods);
    }
    if word {
        return Ok(Package::Docx);
    }
    Err(ReadError::Damaged("the zip package holds no workbook (the spreadsheet part is missing)".into()))
}

fn bomb(bytes: u64) -> ReadError {
    ReadError::TooLarge(format!("the package unpacks to more than {} MB (a zip bomb?)", bytes / 1_000_000))
}

/// A number as a person reads it: integers without ".0", others in their shortest form after
/// rounding to Excel's 15 significant digits (so 0.1+0.2 shows "0.3").
pub(crate) fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return String::new();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
        return format!("{}", rounded as i64);
    }
    format!("{rounded}")
}

/// A cell formatted as a date or time: "YYYY-MM-DD" (time of day dropped), a time alone as
/// "HH:MM", durations and serials outside Excel's calendar as plain numbers.
pub(crate) fn datetime_text(dt: &calamine::ExcelDateTime) -> String {
    let v = dt.as_f64();
    if !v.is_finite() {
        String::new()
    } else if dt.is_duration() || !(0.0..2_958_466.0).contains(&v) {
        number_text(v)
    } else {
        date_text(v, dt.to_ymd_hms_milli())
    }
}

/// ISO text for a date (and time) given as components; time alone when there is no date.
pub(crate) fn date_text(serial: f64, ymd_hms: (u16, u8, u8, u8, u8, u8, u16)) -> String {
    let (y, m, d, hh, mm, ss, _) = ymd_hms;
    if serial.abs() < 1.0 {
        // A time of day with no date part.
        return if ss == 0 { format!("{hh:02}:{mm:02}") } else { format!("{hh:02}:{mm:02}:{ss:02}") };
    }
    format!("{y:04}-{m:02}-{d:02}")
}

/// The date part of an ISO date-time ("2020-03-23T00:00:00" → "2020-03-23"); other text as is.
pub(crate) fn iso_date_text(s: &str) -> String {
    let b = s.as_bytes();
    let looks_like_date = b.len() >= 10
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.iter().take(10).enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if looks_like_date {
        s.get(..10).unwrap_or(s).to_string()
    } else {
        s.to_string()
    }
}

/// A colour as the model stores it: "RRGGBB" upper-case, or `None` for black, white and auto.
pub(crate) fn mark_colour(r: u8, g: u8, b: u8) -> Option<String> {
    if (r, g, b) == (0, 0, 0) || (r, g, b) == (255, 255, 255) {
        None
    } else {
        Some(format!("{r:02X}{g:02X}{b:02X}"))
    }
}

/// "#ff0000" / "FF0000" → "FF0000"; black, white, "transparent" and junk → `None`.
pub(crate) fn hex_colour(s: &str) -> Option<String> {
    let h = s.trim().trim_start_matches('#');
    let h = if h.len() == 8 { h.get(2..)? } else { h };
    if h.len() != 6 || !h.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let v = u32::from_str_radix(h, 16).ok()?;
    mark_colour((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

/// Append an XML entity reference (`&amp;`, `&#160;`) to `out`; unknown entities are dropped.
pub(crate) fn push_entity(r: &quick_xml::events::BytesRef<'_>, out: &mut String) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        out.push(c);
        return;
    }
    match r.as_ref() {
        "amp" => out.push('&'),
        "lt" => out.push('<'),
        "gt" => out.push('>'),
        "quot" => out.push('"'),
        "apos" => out.push('\''),
        _ => {}
    }
}

/// Add a note saying a sheet was cut to the bounds (no cell content in it).
fn truncated_note(doc: &mut Document, sheet_number: usize) {
    doc.notes.push(format!(
        "sheet {sheet_number}: cells beyond row {MAX_ROWS} or column {MAX_COLS} were not read"
    ));
}

/// Push a finished sheet onto the document.
fn push_sheet(doc: &mut Document, table: crate::model::Table) {
    doc.blocks.push(Block::Table(table));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_wrote_them() {
        assert_eq!(number_text(9.0), "9");
        assert_eq!(number_text(9.1), "9.1");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(1234567.25), "1234567.25");
        assert_eq!(number_text(f64::NAN), "");
    }

    #[test]
    fn colours_that_are_not_marks_are_dropped() {
        assert_eq!(hex_colour("#ffff00"), Some("FFFF00".into()));
        assert_eq!(hex_colour("FFFF0000"), Some("FF0000".into()));
        assert_eq!(hex_colour("#000000"), None);
        assert_eq!(hex_colour("#FFFFFF"), None);
        assert_eq!(hex_colour("transparent"), None);
    }

    #[test]
    fn iso_dates_lose_their_time() {
        assert_eq!(iso_date_text("2020-03-23T00:00:00"), "2020-03-23");
        assert_eq!(iso_date_text("2020-03-23"), "2020-03-23");
        assert_eq!(iso_date_text("PT10H"), "PT10H");
    }

    #[test]
    fn html_saved_as_xls_fails_clearly() {
        let e = not_a_spreadsheet(b"<html><body><table><tr><td>1</td></tr></table></body></html>");
        assert!(e.to_string().contains("web page"), "{e}");
        let e = not_a_spreadsheet(b"a,b,c\n1,2,3\n");
        assert!(e.to_string().contains("CSV"), "{e}");
    }
}
