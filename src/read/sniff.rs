//! Recognising a file's format from its first bytes (and, for zip packages, its parts).

use std::path::Path;

use crate::model::Format;
use crate::read::ReadError;

/// The format of the file at `path`, by content; the extension only breaks ties.
pub fn sniff_path(path: &Path) -> Result<Format, ReadError> {
    use std::io::Read;
    let mut head = [0u8; 8];
    let mut file = std::fs::File::open(path).map_err(|e| ReadError::Other(crate::read::io_reason(&e)))?;
    let n = file.read(&mut head).map_err(|e| ReadError::Other(crate::read::io_reason(&e)))?;
    let head = &head[..n];
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Ok(match ext.as_str() {
            "xlsx" => Format::Xlsx,
            "xlsm" => Format::Xlsm,
            "ods" => Format::Ods,
            "odt" => Format::Odt,
            _ => Format::Docx,
        });
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(if ext == "xls" { Format::Xls } else { Format::Doc });
    }
    if head.starts_with(b"%PDF") {
        return Ok(Format::Pdf);
    }
    if head.starts_with(b"{\\rtf") {
        return Ok(Format::Rtf);
    }
    Ok(Format::Txt)
}
