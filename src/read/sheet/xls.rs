//! .xls (BIFF5/BIFF8 in an OLE container) through calamine, values only: calamine gives no
//! formatting for .xls, so a highlighted or bold answer in an .xls return is not seen.
//!
//! calamine reads an .xls eagerly into dense ranges as large as the furthest cell (and reserves
//! room for a sheet's declared DIMENSIONS), so the workbook stream is pre-scanned here record by
//! record and refused when a sheet would need more than [`MAX_AREA`] cells. The pre-scan also
//! finds password protection (FILEPASS, including the XOR obfuscation calamine reads as
//! garbage) and encrypted .xlsx files (an OLE container holding EncryptedPackage).

use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{Data, Reader, SheetType, Xls, XlsError};

use super::grid::{Budget, CellData, Grid, Merge, MAX_COLS, MAX_ROWS};
use super::{datetime_text, iso_date_text, number_text};
use crate::model::{Document, Format, RunFormat};
use crate::read::{Deadline, Limits, ReadError};

/// Largest area (rows × columns) of one sheet handed to calamine (about 40 MB of cells).
const MAX_AREA: u64 = 1_000_000;

pub fn read(path: &Path, bytes: Vec<u8>, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    let stream = workbook_stream(path, &bytes, limits, deadline)?;
    let stream = match stream {
        Stream::Workbook(s) => s,
        Stream::Other(doc) => return Ok(doc),
    };
    prescan(&stream)?;
    drop(stream);
    deadline.check()?;
    let mut wb: Xls<Cursor<Vec<u8>>> = Xls::new(Cursor::new(bytes)).map_err(open_error)?;
    let sheets = wb.sheets_metadata().to_vec();
    let mut doc = Document::default();
    let mut budget = Budget::new(limits.max_cells);
    for (i, sheet) in sheets.iter().enumerate() {
        deadline.check()?;
        if sheet.typ != SheetType::WorkSheet {
            continue;
        }
        let range = match wb.worksheet_range(&sheet.name) {
            Ok(r) => r,
            Err(_) => {
                doc.unread.push(format!("sheet {}: could not be read", i + 1));
                continue;
            }
        };
        let mut grid = Grid::new(sheet.name.clone());
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (n, (r, c, value)) in range.used_cells().enumerate() {
            if n % 1024 == 1023 {
                deadline.check()?;
            }
            let (row, col) = (r0.saturating_add(r as u32), c0.saturating_add(c as u32));
            if row >= MAX_ROWS || col >= MAX_COLS {
                grid.truncated = true;
                continue;
            }
            grid.add(row, col, CellData::text(data_text(value), RunFormat::default(), None), &mut budget)?;
        }
        drop(range);
        for d in wb.merge_cells_by_sheet_name(&sheet.name).unwrap_or_default() {
            grid.merge(Merge { first: d.start, last: d.end });
        }
        if grid.truncated {
            super::truncated_note(&mut doc, i + 1);
        }
        let table = grid.into_table(&mut budget)?;
        super::push_sheet(&mut doc, table);
    }
    Ok(doc)
}

/// A cell value as text (see the module docs of [`super`]).
fn data_text(v: &Data) -> String {
    match v {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::String(s) => s.replace("\r\n", "\n"),
        Data::Bool(true) => "TRUE".into(),
        Data::Bool(false) => "FALSE".into(),
        Data::DateTime(dt) => datetime_text(dt),
        Data::DateTimeIso(s) => iso_date_text(s),
        Data::DurationIso(s) => s.clone(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

enum Stream {
    Workbook(Vec<u8>),
    /// The container held something else we could read (a Word .doc given an .xls name).
    Other(Document),
}

/// The OLE container's workbook stream, or why there is none.
fn workbook_stream(path: &Path, bytes: &[u8], limits: &Limits, deadline: &Deadline) -> Result<Stream, ReadError> {
    let mut cf = match cfb::CompoundFile::open(Cursor::new(bytes)) {
        Ok(cf) => cf,
        // A container the cfb crate refuses may still name its encrypted package.
        Err(_) if names_encrypted_package(bytes) => return Err(ReadError::Encrypted),
        Err(_) => return Err(ReadError::Damaged("the Office file's container is damaged".into())),
    };
    if cf.exists("/EncryptionInfo") || cf.exists("/EncryptedPackage") {
        return Err(ReadError::Encrypted);
    }
    let name = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"].into_iter().find(|n| cf.is_stream(n));
    let Some(name) = name else {
        if cf.is_stream("/WordDocument") {
            // A Word .doc saved with a spreadsheet name: read it as what it is.
            return crate::read::legacy::read(path, Format::Doc, limits, deadline).map(Stream::Other);
        }
        return Err(ReadError::NotADocument(
            "an Office file that holds no workbook (not an Excel spreadsheet)".into(),
        ));
    };
    let stream = cf
        .open_stream(name)
        .map_err(|_| ReadError::Damaged("the workbook stream is damaged".into()))?;
    let mut out = Vec::new();
    stream
        .take(limits.max_inflated_bytes)
        .read_to_end(&mut out)
        .map_err(|_| ReadError::Damaged("the workbook stream is damaged or cut short".into()))?;
    Ok(Stream::Workbook(out))
}

/// "EncryptedPackage" as a UTF-16 directory name anywhere in the container.
fn names_encrypted_package(bytes: &[u8]) -> bool {
    let needle: Vec<u8> = "EncryptedPackage".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

fn u16_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes([*d.get(at)?, *d.get(at + 1)?])))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes([*d.get(at)?, *d.get(at + 1)?, *d.get(at + 2)?, *d.get(at + 3)?]))
}

/// The bounding box of one substream's cells.
#[derive(Default)]
struct Extent(Option<(u32, u32, u32, u32)>);

impl Extent {
    fn add(&mut self, r: u32, c: u32) {
        self.0 = Some(match self.0 {
            None => (r, c, r, c),
            Some((a, b, x, y)) => (a.min(r), b.min(c), x.max(r), y.max(c)),
        });
    }

    fn area(&self) -> u64 {
        self.0.map_or(0, |(a, b, x, y)| u64::from(x - a + 1) * u64::from(y - b + 1))
    }
}

fn too_big() -> ReadError {
    ReadError::TooLarge(format!(
        "a sheet spreads over more than {MAX_AREA} cells; a returned form has a few hundred"
    ))
}

/// Walk the BIFF records: refuse password protection and sheets calamine would make huge.
fn prescan(s: &[u8]) -> Result<(), ReadError> {
    let mut pos = 0usize;
    let mut extent = Extent::default();
    while pos + 4 <= s.len() {
        let typ = u16_at(s, pos).unwrap_or(0);
        let len = u16_at(s, pos + 2).unwrap_or(0) as usize;
        let start = pos + 4;
        let end = (start + len).min(s.len());
        let d = s.get(start..end).unwrap_or(&[]);
        pos = start + len;
        match typ {
            // BOF: a new substream (globals, a sheet, a chart).
            0x0809 | 0x0009 | 0x0209 | 0x0409 => {
                if extent.area() > MAX_AREA {
                    return Err(too_big());
                }
                extent = Extent::default();
            }
            // FILEPASS: encrypted or obfuscated with a password.
            0x002F => return Err(ReadError::Encrypted),
            // DIMENSIONS: calamine reserves rows × columns from it.
            0x0200 => check_dimensions(d)?,
            // Cell records: row at 0, column at 2.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                if let (Some(r), Some(c)) = (u16_at(d, 0), u16_at(d, 2)) {
                    extent.add(r, c);
                }
            }
            // MULRK: row, first column, ..., last column in the final two bytes.
            0x00BD => {
                if let (Some(r), Some(c), Some(last)) = (u16_at(d, 0), u16_at(d, 2), u16_at(d, d.len().saturating_sub(2))) {
                    extent.add(r, c);
                    extent.add(r, last.max(c));
                }
            }
            _ => {}
        }
        if extent.area() > MAX_AREA {
            return Err(too_big());
        }
    }
    Ok(())
}

/// Mirror calamine's reading of DIMENSIONS and refuse what would overflow or be huge.
fn check_dimensions(d: &[u8]) -> Result<(), ReadError> {
    let dims = match d.len() {
        10 => (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 6)),
        14 | 16 => (u32_at(d, 0), u32_at(d, 4), u16_at(d, 8), u16_at(d, 10)),
        _ => return Ok(()), // calamine rejects other lengths itself
    };
    let (Some(rf), Some(rl), Some(mut cf), Some(cl)) = dims else { return Ok(()) };
    if cf > 0xFF || cl < cf {
        cf = 0;
    }
    if rl >= 1 && cl >= 1 {
        let (r_end, c_end) = (rl - 1, cl - 1);
        if r_end < rf || c_end < cf {
            return Err(ReadError::Damaged("a sheet's declared size is impossible".into()));
        }
        let area = u64::from(r_end - rf + 1) * u64::from(c_end - cf + 1);
        if area > MAX_AREA {
            return Err(too_big());
        }
    }
    Ok(())
}

fn open_error(e: XlsError) -> ReadError {
    match e {
        XlsError::Password => ReadError::Encrypted,
        XlsError::Io(_) | XlsError::Cfb(_) => ReadError::Damaged("the Office file's container is damaged".into()),
        _ => ReadError::Damaged("the workbook's records are malformed".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend((data.len() as u16).to_le_bytes());
        v.extend(data);
        v
    }

    #[test]
    fn filepass_is_encrypted() {
        let s = [record(0x0809, &[0; 16]), record(0x002F, &[0, 0, 1, 0])].concat();
        assert_eq!(prescan(&s), Err(ReadError::Encrypted));
    }

    #[test]
    fn far_cells_and_forged_dimensions_are_refused() {
        let mut far = vec![0xFF, 0xFF, 0xFF, 0x00, 0, 0];
        far.extend([0u8; 8]);
        let s = [record(0x0809, &[0; 16]), record(0x0203, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), record(0x0203, &far)].concat();
        assert!(matches!(prescan(&s), Err(ReadError::TooLarge(_))));
        let mut dims = Vec::new();
        dims.extend(0u32.to_le_bytes());
        dims.extend(u32::MAX.to_le_bytes());
        dims.extend(0u16.to_le_bytes());
        dims.extend(256u16.to_le_bytes());
        dims.extend(0u16.to_le_bytes());
        let s = [record(0x0809, &[0; 16]), record(0x0200, &dims)].concat();
        assert!(matches!(prescan(&s), Err(ReadError::TooLarge(_))));
    }
}
