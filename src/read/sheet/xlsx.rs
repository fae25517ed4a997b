//! .xlsx / .xlsm through calamine's streaming cell reader (never `worksheet_range`, which builds a
//! dense range as large as the furthest cell).
//!
//! Formatting comes from calamine's style palette (font and fill per cell). Rich text inside one
//! cell (only "3" bold in "1 2 3 4 5") is flattened by calamine, so the shared-strings part is read
//! here too and a cell whose text matches a rich string gets that string's runs.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::{DataRef, FillPattern, Reader, SheetType, Style, Xlsx, XlsxError};
use quick_xml::events::Event;

use super::grid::{Budget, CellData, Grid, Merge, MAX_COLS, MAX_ROWS};
use super::{datetime_text, hex_colour, iso_date_text, mark_colour, number_text, push_entity};
use crate::model::{Document, Run, RunFormat, RunKind};
use crate::read::{Deadline, Limits, ReadError};

/// Most rich strings remembered (a form has a handful).
const MAX_RICH: usize = 10_000;

pub fn read(bytes: Vec<u8>, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    // The shared strings are inflated once here, for the count check and for rich text.
    let shared = shared_strings(&bytes, limits)?;
    let rich = shared.as_deref().and_then(|xml| rich_strings(xml, deadline)).unwrap_or_default();
    drop(shared);
    deadline.check()?;
    let mut wb: Xlsx<Cursor<Vec<u8>>> = Xlsx::new(Cursor::new(bytes)).map_err(open_error)?;
    let sheets = wb.sheets_metadata().to_vec();
    let mut doc = Document::default();
    let mut budget = Budget::new(limits.max_cells);
    let mut palette: Option<Vec<(RunFormat, Option<String>)>> = None;
    let mut any_error = None;
    for (i, sheet) in sheets.iter().enumerate() {
        deadline.check()?;
        if sheet.typ != SheetType::WorkSheet {
            continue;
        }
        let mut grid = Grid::new(sheet.name.clone());
        let mut reader = match wb.worksheet_cells_reader(&sheet.name) {
            Ok(r) => r,
            Err(XlsxError::NotAWorksheet(_)) => continue,
            Err(XlsxError::WorksheetNotFound(_)) => {
                doc.unread.push(format!("sheet {}: its part is missing from the workbook", i + 1));
                continue;
            }
            Err(e) => {
                doc.unread.push(format!("sheet {}: could not be read ({})", i + 1, error_reason(&e)));
                any_error = Some(e);
                continue;
            }
        };
        let marks = palette.get_or_insert_with(|| reader.styles().iter().map(style_marks).collect());
        let mut streamed: u64 = 0;
        loop {
            streamed += 1;
            if streamed.is_multiple_of(1024) {
                deadline.check()?;
            }
            match reader.next_cell_with_style_id() {
                Ok(Some((cell, style_id))) => {
                    let (row, col) = cell.get_position();
                    if row >= MAX_ROWS {
                        // Rows come in order: nothing further down is kept, so stop here.
                        grid.truncated = true;
                        break;
                    }
                    if col >= MAX_COLS {
                        grid.truncated = true;
                        continue;
                    }
                    let (format, shading) = marks.get(style_id).cloned().unwrap_or_default();
                    let text = value_text(cell.get_value());
                    let data = match rich.get(&text) {
                        Some(runs) if !text.is_empty() => rich_cell(runs, &format, shading),
                        _ => CellData::text(text, format, shading),
                    };
                    grid.add(row, col, data, &mut budget)?;
                }
                Ok(None) => break,
                Err(e) => {
                    doc.notes.push(format!(
                        "sheet {}: damaged part ({}); read up to the damage",
                        i + 1,
                        error_reason(&e)
                    ));
                    any_error = Some(e);
                    break;
                }
            }
        }
        drop(reader);
        match wb.merge_cells_by_sheet_name(&sheet.name) {
            Ok(merges) => {
                for d in merges {
                    grid.merge(Merge { first: d.start, last: d.end });
                }
            }
            Err(e) => doc.notes.push(format!("sheet {}: merged cells unreadable ({})", i + 1, error_reason(&e))),
        }
        if grid.truncated {
            super::truncated_note(&mut doc, i + 1);
        }
        let table = grid.into_table(&mut budget)?;
        super::push_sheet(&mut doc, table);
    }
    let has_cells = doc.blocks.iter().any(|b| matches!(b, crate::model::Block::Table(t) if !t.rows.is_empty()));
    if let (false, Some(e)) = (has_cells, any_error) {
        return Err(ReadError::Damaged(error_reason(&e)));
    }
    Ok(doc)
}

/// A cell value as text (see the module docs of [`super`]).
fn value_text(v: &DataRef<'_>) -> String {
    match v {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::String(s) => s.replace("\r\n", "\n"),
        DataRef::SharedString(s) => s.replace("\r\n", "\n"),
        DataRef::Bool(true) => "TRUE".into(),
        DataRef::Bool(false) => "FALSE".into(),
        DataRef::DateTime(dt) => datetime_text(dt),
        DataRef::DateTimeIso(s) => iso_date_text(s),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

/// The marks a cell style carries: font on the run, solid fill on the cell.
fn style_marks(s: &Style) -> (RunFormat, Option<String>) {
    let mut f = RunFormat::default();
    if let Some(font) = &s.font {
        f.bold = font.is_bold();
        f.italic = font.is_italic();
        f.underline = font.has_underline();
        f.strike = font.has_strikethrough();
        f.colour = font.color.and_then(|c| mark_colour(c.red, c.green, c.blue));
    }
    let shading = s
        .fill
        .as_ref()
        .filter(|fill| fill.pattern == FillPattern::Solid)
        .and_then(|fill| fill.get_color())
        .and_then(|c| mark_colour(c.red, c.green, c.blue));
    (f, shading)
}

/// One run of a rich shared string: its text and its own font, if it has one.
type RichRun = (String, Option<RunFormat>);

fn rich_cell(runs: &[RichRun], cell_format: &RunFormat, shading: Option<String>) -> CellData {
    let runs = runs
        .iter()
        .filter(|(t, _)| !t.is_empty())
        .map(|(text, own)| Run {
            text: text.replace("\r\n", "\n"),
            format: own.clone().unwrap_or_else(|| cell_format.clone()),
            kind: RunKind::Text,
        })
        .collect();
    CellData { runs, shading }
}

/// calamine reserves room for the shared strings' declared `uniqueCount` before reading them; a
/// forged count would ask for terabytes and abort the process. Refuse counts no real part could
/// hold (each string takes at least `<si/>`, 5 bytes).
pub(super) fn check_shared_strings_count(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    shared_strings(bytes, limits).map(drop)
}

/// Every shared-strings part checked for a forged count (see [`check_shared_strings_count`]);
/// the first returned inflated, or `None` when there is none or it could not be inflated whole.
fn shared_strings(bytes: &[u8], limits: &Limits) -> Result<Option<Vec<u8>>, ReadError> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(None); // calamine will report the damage
    };
    let mut first: Option<Option<Vec<u8>>> = None;
    for i in 0..zip.len() {
        let Ok(mut entry) = zip.by_index(i) else { continue };
        if !entry.name_raw().to_ascii_lowercase().ends_with(b"sharedstrings.xml") {
            continue;
        }
        // The size the part really inflates to (the declared size can lie); the caller has
        // already bounded the package's inflated total. A part that fails to inflate counts only
        // what came before the damage, up to its head.
        let mut xml = Vec::new();
        let whole = (&mut entry).take(limits.max_inflated_bytes).read_to_end(&mut xml).is_ok();
        let size = if whole { xml.len() } else { xml.len().min(4096) } as u64;
        let head = String::from_utf8_lossy(xml.get(..4096).unwrap_or(&xml));
        if let Some(at) = head.find("uniqueCount=") {
            let digits: String = head[at + "uniqueCount=".len()..]
                .chars()
                .skip(1)
                .take_while(|c| c.is_ascii_digit())
                .collect();
            let count: u128 = digits.parse().unwrap_or(0);
            if digits.len() > 20 || count > u128::from(size / 5 + 16) {
                return Err(ReadError::Damaged(
                    "the workbook's shared-strings part declares more strings than it holds".into(),
                ));
            }
        }
        if first.is_none() {
            first = Some(whole.then_some(xml));
        }
    }
    Ok(first.flatten())
}

/// Shared strings made of several runs with their own fonts, keyed by their full text as calamine
/// gives it. Errors just mean no rich text (calamine reads the values).
fn rich_strings(part: &[u8], deadline: &Deadline) -> Option<HashMap<String, Vec<RichRun>>> {
    // Only a string with run properties (`<rPr>`) is kept: without any, nothing need be parsed.
    static RPR: std::sync::LazyLock<memchr::memmem::Finder<'static>> = std::sync::LazyLock::new(|| memchr::memmem::Finder::new("rPr"));
    RPR.find(part)?;
    let mut xml = quick_xml::Reader::from_reader(part);
    let mut out: HashMap<String, Vec<RichRun>> = HashMap::new();
    let mut buf = Vec::new();
    // Current <si>: its runs; current <r>: its format; inside <t> (and whether to keep spaces).
    let mut runs: Vec<RichRun> = Vec::new();
    let mut in_si = false;
    let mut in_rph = false;
    let mut run_format: Option<RunFormat> = None;
    let mut in_rpr = false;
    let mut text: Option<(String, bool)> = None;
    let mut events: u64 = 0;
    loop {
        buf.clear();
        events += 1;
        if events.is_multiple_of(4096) && deadline.check().is_err() {
            return Some(out);
        }
        let ev = xml.read_event_into(&mut buf).ok()?;
        match ev {
            Event::Start(e) if text.is_none() => match e.local_name().as_ref() {
                "si" => {
                    in_si = true;
                    runs.clear();
                }
                "rPh" => in_rph = true,
                "r" if in_si => run_format = None,
                "rPr" if in_si => {
                    in_rpr = true;
                    run_format = Some(RunFormat::default());
                }
                "t" if in_si && !in_rph => {
                    let preserve = e
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == "xml:space" && a.value == "preserve");
                    text = Some((String::new(), preserve));
                }
                tag if in_rpr => {
                    if let Some(f) = run_format.as_mut() {
                        apply_rpr(f, tag, &e);
                    }
                }
                _ => {}
            },
            Event::Empty(e) if in_rpr => {
                if let Some(f) = run_format.as_mut() {
                    apply_rpr(f, e.local_name().as_ref(), &e);
                }
            }
            Event::Text(t) => {
                if let Some((s, _)) = text.as_mut() {
                    s.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some((s, _)) = text.as_mut() {
                    s.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some((s, _)) = text.as_mut() {
                    push_entity(&r, s);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" => {
                    if let Some((s, preserve)) = text.take() {
                        let s = if preserve { s.as_str() } else { s.trim_matches([' ', '\t', '\r', '\n']) };
                        runs.push((unescape_ooxml(s), run_format.clone()));
                    }
                }
                "rPr" => in_rpr = false,
                "rPh" => in_rph = false,
                "si" => {
                    in_si = false;
                    let styled = runs.iter().any(|(_, f)| f.is_some());
                    if runs.len() > 1 && styled && out.len() < MAX_RICH {
                        let full: String = runs.iter().map(|(t, _)| t.as_str()).collect();
                        out.entry(full).or_insert_with(|| std::mem::take(&mut runs));
                    }
                    runs.clear();
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Some(out)
}

/// A run property element (`<b/>`, `<u val="single"/>`, `<color rgb="FFFF0000"/>`) onto `f`.
fn apply_rpr(f: &mut RunFormat, tag: &str, e: &quick_xml::events::BytesStart<'_>) {
    let attr = |name: &str| -> Option<String> {
        e.attributes().flatten().find(|a| a.key.local_name().as_ref() == name).map(|a| a.value.into_owned())
    };
    let on = || !matches!(attr("val").as_deref(), Some("0") | Some("false") | Some("none"));
    match tag {
        "b" => f.bold = on(),
        "i" => f.italic = on(),
        "u" => f.underline = on(),
        "strike" => f.strike = on(),
        "color" => f.colour = attr("rgb").and_then(|v| hex_colour(&v)),
        _ => {}
    }
}

/// OOXML's `_xHHHH_` escapes (a carriage return is `_x000D_`), as calamine decodes them.
fn unescape_ooxml(s: &str) -> String {
    if !s.contains("_x") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let code = tail.get(2..6).filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()));
        match (code, tail.get(6..7)) {
            (Some(h), Some("_")) => {
                if let Some(c) = u32::from_str_radix(h, 16).ok().and_then(char::from_u32) {
                    out.push(c);
                }
                rest = &tail[7..];
            }
            _ => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A plain reason for a calamine error, without any text from the file.
fn error_reason(e: &XlsxError) -> String {
    match e {
        XlsxError::Zip(_) => "the zip package is damaged".into(),
        XlsxError::Io(_) => "the package could not be unpacked".into(),
        XlsxError::Xml(_) | XlsxError::XmlAttr(_) | XlsxError::XmlEof(_) | XlsxError::UnexpectedNode(_) => {
            "the workbook's XML is malformed or cut short".into()
        }
        XlsxError::FileNotFound(_) | XlsxError::RelationshipNotFound => "a part of the workbook is missing".into(),
        XlsxError::Password => "password protected".into(),
        _ => "the workbook's content is malformed".into(),
    }
}

fn open_error(e: XlsxError) -> ReadError {
    match e {
        XlsxError::Password => ReadError::Encrypted,
        other => ReadError::Damaged(error_reason(&other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ooxml_escapes_decode() {
        assert_eq!(unescape_ooxml("a_x000D_b"), "a\rb");
        assert_eq!(unescape_ooxml("no_xescape"), "no_xescape");
    }
}
