//! Recognising a file's format by content, never by its name: returns arrive renamed (an `.xlsx`
//! called `.docx`, a web page called `.xls`, RTF called `.doc`), encrypted, or as something that
//! is not a document at all. The extension only breaks ties the content leaves open.
//!
//! Zip packages are told apart by their parts (`word/`, `xl/`, ODF `mimetype`), OLE compound
//! files by their stream names (`EncryptionInfo`, `WordDocument`, `Workbook`). Everything that is
//! not a form we read gets a reason a consultant can act on.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::model::Format;
use crate::read::ReadError;

/// How many bytes from the start of a file decide text versus binary.
const HEAD_BYTES: usize = 8192;
/// Most bytes scanned for zip local headers when a package's central directory is missing.
const MAX_SCAN_BYTES: u64 = 32 * 1024 * 1024;
/// Most names looked at in a zip package or compound file.
const MAX_NAMES: usize = 100_000;

/// The format of the file at `path`, by content; the extension only breaks ties.
pub fn sniff_path(path: &Path) -> Result<Format, ReadError> {
    let file = std::fs::File::open(path).map_err(|e| ReadError::Other(format!("cannot open the file: {}", crate::read::io_reason(&e))))?;
    // Buffered: listing a zip's parts reads each central-directory entry in small pieces.
    sniff_reader(std::io::BufReader::new(file), &extension(path))
}

/// The format of an in-memory file (fuzzing, tests); `ext` is the lower-case extension without dot.
pub fn sniff_bytes(bytes: &[u8], ext: &str) -> Result<Format, ReadError> {
    sniff_reader(std::io::Cursor::new(bytes), ext)
}

/// The lower-case extension of `path`, without the dot ("" when none).
pub fn extension(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

/// The format a file's name claims: used for the `format` of a record whose content could not
/// be recognised (an empty `x.docx` is reported as a failed docx).
pub fn format_from_extension(path: &Path) -> Format {
    match extension(path).as_str() {
        "docx" | "docm" | "dotx" | "dotm" => Format::Docx,
        "doc" | "dot" => Format::Doc,
        "odt" | "ott" => Format::Odt,
        "rtf" => Format::Rtf,
        "xlsx" | "xltx" => Format::Xlsx,
        "xlsm" | "xltm" => Format::Xlsm,
        "xls" | "xlt" => Format::Xls,
        "ods" | "ots" => Format::Ods,
        "txt" | "text" => Format::Txt,
        "pdf" => Format::Pdf,
        _ => Format::Unknown,
    }
}

/// Sniff from any seekable reader.
/// Whether the file may go to LibreOffice (an OLE container, which a .doc is, or Rich Text), from
/// its first bytes only: for the batch's watchdog, which must not read every file twice.
pub fn may_need_libreoffice(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else { return false };
    let mut head = Vec::with_capacity(64);
    if file.take(64).read_to_end(&mut head).is_err() {
        return false;
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(text.len());
    head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) || text.get(start..).is_some_and(|t| t.starts_with(b"{\\rtf"))
}

pub fn sniff_reader<R: Read + Seek>(mut r: R, ext: &str) -> Result<Format, ReadError> {
    let io = |e: std::io::Error| ReadError::Other(format!("cannot read the file: {}", crate::read::io_reason(&e)));
    let mut head = Vec::with_capacity(HEAD_BYTES);
    (&mut r).take(HEAD_BYTES as u64).read_to_end(&mut head).map_err(io)?;
    if head.is_empty() {
        return Err(ReadError::Empty);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") || head.starts_with(b"PK\x07\x08") {
        r.seek(SeekFrom::Start(0)).map_err(io)?;
        return zip_kind(r, ext);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        r.seek(SeekFrom::Start(0)).map_err(io)?;
        return ole_kind(r, ext);
    }
    if let Some(err) = binary_kind(&head) {
        return Err(err);
    }
    // PDF allows a little junk before its header.
    if find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        return Ok(Format::Pdf);
    }
    let text = decode_head(&head);
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with("{\\rtf") {
        return Ok(Format::Rtf);
    }
    if let Some(err) = markup_kind(trimmed, ext) {
        return Err(err);
    }
    if looks_like_text(&head) {
        return Ok(Format::Txt);
    }
    Err(ReadError::NotADocument("random bytes, not a Word document or zip package".into()))
}

/// Images, archives and other binary files that are certainly not returns.
fn binary_kind(head: &[u8]) -> Option<ReadError> {
    let image = |what: &str| Some(ReadError::NotADocument(format!("an image ({what}), not a form")));
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return image("PNG");
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return image("JPEG");
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return image("GIF");
    }
    if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        return image("TIFF");
    }
    // BMP: "BM", the file size, then four reserved zero bytes.
    if head.starts_with(b"BM") && head.get(6..10) == Some(&[0, 0, 0, 0]) {
        return image("BMP");
    }
    if head.len() >= 12 && head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return image("WebP");
    }
    if head.len() >= 12 && head.get(4..12).is_some_and(|b| b == b"ftypheic" || b == b"ftypheix" || b == b"ftypmif1") {
        return image("HEIC photo");
    }
    let archive = |what: &str| {
        Some(ReadError::NotADocument(format!("a compressed archive ({what}): unpack it and run the tool on the folder")))
    };
    if head.starts_with(&[0x1F, 0x8B]) {
        return archive("gzip");
    }
    if head.starts_with(b"Rar!\x1a\x07") {
        return archive("RAR");
    }
    if head.starts_with(&[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) {
        return archive("7-Zip");
    }
    // A bare BIFF2-4 worksheet (Excel 2.x to 4.0, before OLE): a BOF record of 4 to 16 bytes.
    if let Some(&[a, b, c, d]) = head.get(..4) {
        let bof = matches!((a, b), (0x09, 0x00) | (0x09, 0x02) | (0x09, 0x04));
        let len = u16::from_le_bytes([c, d]);
        if bof && (4..=16).contains(&len) {
            return Some(ReadError::Other(
                "a very old Excel file (Excel 4 or earlier): open it in Excel and save it as .xlsx".into(),
            ));
        }
    }
    None
}

/// Markup that is not a form we read: web pages and Office 2003 XML saved under an Office name.
fn markup_kind(text: &str, ext: &str) -> Option<ReadError> {
    let lower: String = text.chars().take(2048).collect::<String>().to_ascii_lowercase();
    let app = if matches!(ext, "xls" | "xlsx" | "xlsm" | "ods") { "Excel" } else { "Word" };
    let save_as = if app == "Excel" { ".xlsx" } else { ".docx" };
    let named = if ext.is_empty() { "a web page".to_string() } else { format!("a web page saved with a .{ext} name") };
    if lower.starts_with("mime-version:") {
        return Some(ReadError::Other(format!(
            "{} (MHTML): open it in {app} and save it as {save_as}",
            if ext.is_empty() { "a web archive".to_string() } else { format!("a web archive saved with a .{ext} name") }
        )));
    }
    if lower.starts_with("<?xml") {
        if lower.contains("progid=\"excel.sheet\"") || lower.contains("urn:schemas-microsoft-com:office:spreadsheet") {
            return Some(ReadError::Other(
                "an Excel 2003 XML spreadsheet: open it in Excel and save it as .xlsx".into(),
            ));
        }
        if lower.contains("progid=\"word.document\"") || lower.contains("<w:worddocument") || lower.contains("<pkg:package") {
            return Some(ReadError::Other("a Word XML document: open it in Word and save it as .docx".into()));
        }
        if lower.contains("<html") {
            return Some(ReadError::Other(format!("{named}: open it in {app} and save it as {save_as}")));
        }
        return None;
    }
    let html = lower.starts_with("<html")
        || lower.starts_with("<!doctype html")
        || lower.starts_with("<table")
        || lower.starts_with("<head")
        || lower.starts_with("<body")
        || (lower.starts_with("<!--") && lower.contains("<html"));
    if html {
        return Some(ReadError::Other(format!("{named}: open it in {app} and save it as {save_as}")));
    }
    None
}

/// The head of a text file as a string, honouring a UTF-16 or UTF-8 byte-order mark (or UTF-16
/// without one, recognised by its zero bytes).
fn decode_head(head: &[u8]) -> String {
    if let Some(enc) = utf16_encoding(head) {
        let (text, _, _) = enc.decode(head);
        return text.into_owned();
    }
    String::from_utf8_lossy(head).into_owned()
}

/// UTF-16 by byte-order mark, or by zeros in every other byte (ASCII text in UTF-16).
fn utf16_encoding(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if head.starts_with(&[0xFF, 0xFE]) {
        return Some(encoding_rs::UTF_16LE);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Some(encoding_rs::UTF_16BE);
    }
    let pairs = head.len() / 2;
    if pairs < 4 {
        return None;
    }
    let (mut even_zero, mut odd_zero) = (0usize, 0usize);
    for pair in head.chunks_exact(2) {
        if let [a, b] = pair {
            even_zero += usize::from(*a == 0);
            odd_zero += usize::from(*b == 0);
        }
    }
    if odd_zero * 10 >= pairs * 7 && even_zero * 20 <= pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even_zero * 10 >= pairs * 7 && odd_zero * 20 <= pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// True when `head` reads as text (UTF-8, Windows-1252 or UTF-16) rather than binary data.
fn looks_like_text(head: &[u8]) -> bool {
    if let Some(enc) = utf16_encoding(head) {
        let (text, _, had_errors) = enc.decode(head);
        return !had_errors && control_share(text.chars()) <= 0.01;
    }
    if head.contains(&0) {
        return false;
    }
    // Valid UTF-8 (a multi-byte character may be cut at the end of the head), else Windows-1252.
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() == HEAD_BYTES,
    };
    if valid {
        return control_share(String::from_utf8_lossy(head).chars()) <= 0.01;
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(head);
    // Random bytes decode as Windows-1252 too, but carry control characters and C1 gaps.
    let undefined = head.iter().filter(|&&b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D)).count();
    control_share(text.chars()) <= 0.01 && undefined * 200 <= head.len()
}

/// The share of characters that are control characters other than white space.
fn control_share(chars: impl Iterator<Item = char>) -> f64 {
    let (mut total, mut control) = (0usize, 0usize);
    for c in chars {
        total += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}') {
            control += 1;
        }
    }
    if total == 0 {
        return 1.0;
    }
    control as f64 / total as f64
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Zip packages

/// What a zip package holds, told by its part names (listed with [`crate::read::zipped`]).
fn zip_kind<R: Read + Seek>(mut r: R, ext: &str) -> Result<Format, ReadError> {
    // Only the ODF mimetype part is ever inflated here, and only a few bytes of it.
    let limits = crate::read::Limits { max_inflated_bytes: 4096, ..crate::read::Limits::default() };
    let deadline = crate::read::Deadline::after(std::time::Duration::from_secs(5));
    match crate::read::zipped::Package::from_reader(&mut r, &limits, &deadline) {
        Ok(mut package) => {
            if package.names().len() > MAX_NAMES {
                return Err(ReadError::TooLarge(format!("a zip package with {} parts", package.names().len())));
            }
            let names: Vec<String> = package.names().to_vec();
            if names.is_empty() {
                return Err(ReadError::Damaged("the zip package is empty".into()));
            }
            let mimetype = match package.read_opt("mimetype") {
                Ok(Some(bytes)) => Some(String::from_utf8_lossy(&bytes).trim().to_string()),
                _ => None,
            };
            classify_parts(&names, mimetype.as_deref(), ext)
        }
        Err(_) => {
            // No central directory (a half-downloaded file): list the local headers instead, so the
            // reader for the right format can say what it could recover.
            r.seek(SeekFrom::Start(0)).map_err(|e| ReadError::Other(crate::read::io_reason(&e)))?;
            let mut bytes = Vec::new();
            (&mut r)
                .take(MAX_SCAN_BYTES)
                .read_to_end(&mut bytes)
                .map_err(|e| ReadError::Other(crate::read::io_reason(&e)))?;
            let (names, mimetype) = local_header_names(&bytes);
            if names.is_empty() {
                return Err(ReadError::Damaged("the zip package is truncated: no parts can be read".into()));
            }
            match classify_parts(&names, mimetype.as_deref(), ext) {
                Ok(format) => Ok(format),
                // Not enough of the package survived to tell what it was.
                Err(ReadError::NotADocument(_)) => Err(ReadError::Damaged(
                    "the zip package is truncated (central directory missing, document cut short)".into(),
                )),
                Err(e) => Err(e),
            }
        }
    }
}

/// Part names from zip local file headers, scanning the raw bytes; and the ODF mimetype when it
/// is stored uncompressed (as ODF requires).
fn local_header_names(bytes: &[u8]) -> (Vec<String>, Option<String>) {
    let mut names = Vec::new();
    let mut mimetype = None;
    let mut at = 0usize;
    while names.len() < MAX_NAMES {
        let Some(rest) = bytes.get(at..) else { break };
        let Some(pos) = find(rest, b"PK\x03\x04") else { break };
        let start = at + pos;
        at = start + 4;
        let field = |off: usize| -> Option<usize> {
            let b = bytes.get(start + off..start + off + 2)?;
            Some(usize::from(u16::from_le_bytes([*b.first()?, *b.get(1)?])))
        };
        let (Some(method), Some(name_len), Some(extra_len)) = (field(8), field(26), field(28)) else { break };
        let Some(name) = bytes.get(start + 30..start + 30 + name_len) else { break };
        let name = String::from_utf8_lossy(name).replace('\\', "/");
        if name == "mimetype" && method == 0 {
            let data_at = start + 30 + name_len + extra_len;
            if let Some(data) = bytes.get(data_at..bytes.len().min(data_at + 100)) {
                let text = String::from_utf8_lossy(data);
                let value: String = text.chars().take_while(|c| c.is_ascii_graphic()).collect();
                mimetype = Some(value);
            }
        }
        names.push(name);
    }
    (names, mimetype)
}

/// Tell a package by its parts.
fn classify_parts(names: &[String], mimetype: Option<&str>, ext: &str) -> Result<Format, ReadError> {
    let has_prefix = |p: &str| names.iter().any(|n| n.starts_with(p));
    if let Some(mime) = mimetype {
        // A mimetype read from a damaged local header may run on into the next bytes.
        let mime = mime.trim();
        if mime.starts_with("application/vnd.oasis.opendocument.text") {
            return Ok(Format::Odt);
        }
        if mime.starts_with("application/vnd.oasis.opendocument.spreadsheet") {
            return Ok(Format::Ods);
        }
        if mime.starts_with("application/vnd.oasis.opendocument.presentation") {
            return Err(ReadError::NotADocument("a presentation, not a form".into()));
        }
        if mime.starts_with("application/vnd.oasis.opendocument") {
            return Err(ReadError::NotADocument("an OpenDocument file that is neither text nor a spreadsheet".into()));
        }
        if mime.starts_with("application/epub") {
            return Err(ReadError::NotADocument("an e-book, not a form".into()));
        }
    }
    if has_prefix("word/") {
        return Ok(Format::Docx);
    }
    if has_prefix("xl/") {
        let macros = names.iter().any(|n| n.eq_ignore_ascii_case("xl/vbaProject.bin"));
        return Ok(if ext == "xlsm" || macros { Format::Xlsm } else { Format::Xlsx });
    }
    if has_prefix("ppt/") {
        return Err(ReadError::NotADocument("a PowerPoint presentation, not a form".into()));
    }
    if names.iter().any(|n| n == "content.xml") {
        // ODF without its mimetype part: trust the name.
        match ext {
            "ods" | "ots" => return Ok(Format::Ods),
            "odt" | "ott" => return Ok(Format::Odt),
            _ => {}
        }
    }
    if names.iter().any(|n| n == "[Content_Types].xml") {
        // An Office package whose main part is elsewhere (some writers rename it): the extension decides.
        if let f @ (Format::Docx | Format::Xlsx | Format::Xlsm) = format_from_extension(Path::new(&format!("x.{ext}"))) {
            return Ok(f);
        }
    }
    let holds_returns = names.iter().any(|n| {
        let lower = n.to_ascii_lowercase();
        crate::walk::RETURN_EXTENSIONS.iter().any(|e| lower.ends_with(&format!(".{e}")))
    });
    if holds_returns {
        return Err(ReadError::NotADocument(
            "a zip archive of other files: unzip it and run the tool on the folder".into(),
        ));
    }
    Err(ReadError::NotADocument("a zip archive, not a Word or Excel file".into()))
}

// ---------------------------------------------------------------------------------------------
// OLE compound files (.doc, .xls, encrypted OOXML, Outlook messages)

/// What an OLE compound file holds, told by the streams in its root storage.
fn ole_kind<R: Read + Seek>(mut r: R, ext: &str) -> Result<Format, ReadError> {
    let mut cfb = match cfb::CompoundFile::open(&mut r) {
        Ok(cfb) => cfb,
        Err(_) => return ole_kind_damaged(r),
    };
    let names: Vec<String> = cfb.read_root_storage().take(MAX_NAMES).map(|e| e.name().to_string()).collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    if has("EncryptionInfo") || has("EncryptedPackage") {
        return Err(ReadError::Encrypted);
    }
    if has("WordDocument") {
        return match word_fib(&mut cfb) {
            Fib::Encrypted => Err(ReadError::Encrypted),
            Fib::NotWord => Err(ReadError::Damaged("the Word document header is not valid".into())),
            Fib::Plain | Fib::Unreadable => Ok(Format::Doc),
        };
    }
    for stream in ["Workbook", "Book", "WORKBOOK", "BOOK"] {
        if has(stream) {
            if xls_has_filepass(&mut cfb, stream) {
                return Err(ReadError::Encrypted);
            }
            return Ok(Format::Xls);
        }
    }
    if names.iter().any(|n| n.starts_with("__substg1.0_") || n == "__properties_version1.0") {
        return Err(ReadError::Other(
            "an Outlook message (.msg), not a form: open it in Outlook, save the attached form, and run the tool on that".into(),
        ));
    }
    if has("PowerPoint Document") {
        return Err(ReadError::NotADocument("a PowerPoint presentation, not a form".into()));
    }
    let _ = ext;
    Err(ReadError::NotADocument("an old-style Office file that is neither a Word document nor a spreadsheet".into()))
}

/// A compound file whose sector chains do not hold together: look for its directory entries in
/// the raw bytes. An encrypted package is still recognised as such; a damaged .doc or .xls goes
/// to its reader, which may be more forgiving.
fn ole_kind_damaged<R: Read + Seek>(mut r: R) -> Result<Format, ReadError> {
    let damaged = || ReadError::Damaged("the old-style Office file is damaged or truncated".into());
    let mut bytes = Vec::new();
    r.seek(SeekFrom::Start(0)).map_err(|_| damaged())?;
    r.take(MAX_SCAN_BYTES).read_to_end(&mut bytes).map_err(|_| damaged())?;
    let names = raw_directory_names(&bytes);
    let has = |n: &str| names.iter().any(|x| x == n);
    if has("EncryptionInfo") || has("EncryptedPackage") {
        return Err(ReadError::Encrypted);
    }
    if has("WordDocument") {
        return Ok(Format::Doc);
    }
    if has("Workbook") || has("Book") {
        return Ok(Format::Xls);
    }
    Err(damaged())
}

/// Stream names of directory entries found by scanning 128-byte slots (directory sectors are
/// sector-aligned, entries 128 bytes): a UTF-16 name whose length field matches, type stream.
fn raw_directory_names(bytes: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for entry in bytes.chunks_exact(128).skip(4) {
        let (Some(name), Some(&[l0, l1]), Some(&kind)) = (entry.get(..64), entry.get(64..66), entry.get(66)) else {
            continue;
        };
        let len = usize::from(u16::from_le_bytes([l0, l1]));
        if kind != 2 || !(4..=64).contains(&len) || len % 2 != 0 {
            continue;
        }
        let units: Vec<u16> =
            name.chunks_exact(2).take(len / 2 - 1).map(|p| if let [a, b] = p { u16::from_le_bytes([*a, *b]) } else { 0 }).collect();
        if let Ok(text) = String::from_utf16(&units) {
            if text.chars().all(|c| c.is_ascii_graphic() || c == ' ') && names.len() < MAX_NAMES {
                names.push(text);
            }
        }
    }
    names
}

/// What the start of a Word stream (its FIB) says.
#[derive(Debug, PartialEq, Eq)]
enum Fib {
    /// A Word 6-2003 header with fEncrypted set (password or XOR obfuscation).
    Encrypted,
    /// A Word header, not encrypted.
    Plain,
    /// The stream does not start with a Word header (wIdent): random or damaged data.
    NotWord,
    /// The stream could not be read here: left to the converter.
    Unreadable,
}

/// Word's FIB: wIdent 0xA5EC (Word 97+) or 0xA5DC (Word 6/95), flags at offset 10 with bit 8 =
/// fEncrypted (fObfuscated, bit 15, only qualifies an encrypted file). The flags mean nothing
/// unless the header is Word's, so random bytes are never taken for a password.
fn word_fib<R: Read + Seek>(cfb: &mut cfb::CompoundFile<R>) -> Fib {
    let Ok(stream) = cfb.open_stream("/WordDocument") else { return Fib::Unreadable };
    let mut fib = Vec::new();
    if stream.take(12).read_to_end(&mut fib).is_err() {
        return Fib::Unreadable;
    }
    let (Some([i0, i1]), Some([lo, hi])) = (fib.get(0..2), fib.get(10..12)) else { return Fib::NotWord };
    let ident = u16::from_le_bytes([*i0, *i1]);
    if ident != 0xA5EC && ident != 0xA5DC {
        return Fib::NotWord;
    }
    if u16::from_le_bytes([*lo, *hi]) & 0x0100 != 0 {
        Fib::Encrypted
    } else {
        Fib::Plain
    }
}

/// A BIFF workbook stream with a FILEPASS record in its globals: a password-protected .xls.
fn xls_has_filepass<R: Read + Seek>(cfb: &mut cfb::CompoundFile<R>, stream: &str) -> bool {
    let Ok(stream) = cfb.open_stream(format!("/{stream}")) else { return false };
    let mut bytes = Vec::new();
    if stream.take(64 * 1024).read_to_end(&mut bytes).is_err() {
        return false;
    }
    let mut at = 0usize;
    for _ in 0..512 {
        let Some(&[a, b, c, d]) = bytes.get(at..at + 4) else { return false };
        let kind = u16::from_le_bytes([a, b]);
        let len = usize::from(u16::from_le_bytes([c, d]));
        match kind {
            0x002F => return true,
            // EOF of the globals, or the first sheet's BOF after the globals' own.
            0x000A => return false,
            _ => {}
        }
        at += 4 + len;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libreoffice_candidates_by_their_first_bytes() {
        let dir = std::env::temp_dir().join(format!("cpoms-qa-lo-head-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = |name: &str, bytes: &[u8]| {
            let p = dir.join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        };
        assert!(may_need_libreoffice(&file("a.doc", &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0])));
        assert!(may_need_libreoffice(&file("b.docx", b"\xEF\xBB\xBF \r\n{\\rtf1\\ansi}")));
        assert!(!may_need_libreoffice(&file("c.docx", b"PK\x03\x04rest")));
        assert!(!may_need_libreoffice(&file("d.txt", b"CPOMS Quality Assurance Tool")));
        assert!(!may_need_libreoffice(&dir.join("missing.doc")));
        let _ = std::fs::remove_dir_all(&dir);
    }
    use std::io::Write;

    fn zip_with(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            for (name, data) in parts {
                let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
                w.start_file(*name, opts).unwrap();
                w.write_all(data).unwrap();
            }
            w.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn zip_packages_are_told_by_their_parts_not_their_names() {
        let docx = zip_with(&[("[Content_Types].xml", b"<x/>"), ("word/document.xml", b"<w/>")]);
        assert_eq!(sniff_bytes(&docx, "xlsx"), Ok(Format::Docx));
        let xlsx = zip_with(&[("[Content_Types].xml", b"<x/>"), ("xl/workbook.xml", b"<w/>")]);
        assert_eq!(sniff_bytes(&xlsx, "docx"), Ok(Format::Xlsx));
        assert_eq!(sniff_bytes(&xlsx, "xlsm"), Ok(Format::Xlsm));
        let odt = zip_with(&[("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")]);
        assert_eq!(sniff_bytes(&odt, "docx"), Ok(Format::Odt));
        let ods = zip_with(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", b"")]);
        assert_eq!(sniff_bytes(&ods, "xls"), Ok(Format::Ods));
        let other = zip_with(&[("photo.jpg", b"..")]);
        let err = sniff_bytes(&other, "docx").unwrap_err().to_string();
        assert!(err.contains("zip archive"), "{err}");
        let folder = zip_with(&[("returns/a.docx", b"..")]);
        let err = sniff_bytes(&folder, "zip").unwrap_err().to_string();
        assert!(err.contains("unzip"), "{err}");
    }

    #[test]
    fn a_truncated_package_is_still_recognised_from_its_local_headers() {
        let docx = zip_with(&[("[Content_Types].xml", b"<x/>"), ("word/document.xml", b"<w:document/>")]);
        let cut = &docx[..docx.len() - 30];
        assert_eq!(sniff_bytes(cut, "docx"), Ok(Format::Docx));
        let err = sniff_bytes(&docx[..20], "docx").unwrap_err();
        assert!(matches!(err, ReadError::Damaged(_)), "{err:?}");
    }

    #[test]
    fn text_markup_and_binaries() {
        assert_eq!(sniff_bytes(b"", "docx"), Err(ReadError::Empty));
        assert_eq!(sniff_bytes(b"{\\rtf1\\ansi hello}", "doc"), Ok(Format::Rtf));
        assert_eq!(sniff_bytes(b"%PDF-1.4\n...", "docx"), Ok(Format::Pdf));
        assert_eq!(sniff_bytes("CPOMS Quality Assurance Tool\n1.1\tYES\n".as_bytes(), "docx"), Ok(Format::Txt));
        let utf16: Vec<u8> = "\u{feff}CPOMS QA form\r\n".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        assert_eq!(sniff_bytes(&utf16, "txt"), Ok(Format::Txt));
        let cp1252 = b"Caf\xe9 r\xe9sum\xe9 \x93quoted\x94\n";
        assert_eq!(sniff_bytes(cp1252, "txt"), Ok(Format::Txt));
        let html = sniff_bytes(b"<html><body><table><tr><td>1</td></tr></table></body></html>", "xls").unwrap_err();
        assert!(html.to_string().contains("web page saved with a .xls name"), "{html}");
        assert!(html.to_string().contains("Excel"), "{html}");
        let png = sniff_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "docx").unwrap_err();
        assert!(png.to_string().contains("an image"), "{png}");
        // Deterministic pseudo-random bytes.
        let mut x: u32 = 12345;
        let random: Vec<u8> = (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect();
        let err = sniff_bytes(&random, "docx").unwrap_err();
        assert!(err.to_string().contains("random bytes"), "{err}");
    }

    /// An OLE container holding a WordDocument stream that starts with `head`.
    fn ole_with_word_stream(head: &[u8]) -> Vec<u8> {
        let mut cfb = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).expect("cfb");
        let mut stream = cfb.create_stream("/WordDocument").expect("stream");
        let mut body = head.to_vec();
        body.resize(4096, 0x5A);
        stream.write_all(&body).expect("write");
        drop(stream);
        cfb.flush().expect("flush");
        cfb.into_inner().into_inner()
    }

    #[test]
    fn only_a_word_header_with_the_encrypted_bit_is_a_password() {
        // Random bytes with bit 8 set where Word keeps its flags: damaged, not a password.
        let garbage = ole_with_word_stream(&[0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]);
        assert!(matches!(ole_kind(std::io::Cursor::new(garbage), "doc"), Err(ReadError::Damaged(_))));
        let encrypted = ole_with_word_stream(&[0xEC, 0xA5, 0xC1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01]);
        assert_eq!(ole_kind(std::io::Cursor::new(encrypted), "doc"), Err(ReadError::Encrypted));
        // fObfuscated without fEncrypted means nothing.
        let plain = ole_with_word_stream(&[0xEC, 0xA5, 0xC1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x80]);
        assert_eq!(ole_kind(std::io::Cursor::new(plain), "doc"), Ok(Format::Doc));
    }

    #[test]
    fn the_password_protected_fixture_is_recognised_as_encrypted() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bad/password_protected.docx");
        assert_eq!(sniff_path(&path), Err(ReadError::Encrypted));
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bad/random_bytes.docx");
        assert!(matches!(sniff_path(&path), Err(ReadError::NotADocument(_))));
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bad/truncated.docx");
        let got = sniff_path(&path);
        assert!(matches!(got, Ok(Format::Docx) | Err(ReadError::Damaged(_))), "{got:?}");
    }
}
